//! Sweep result files: rows appended durably as combinations finish, resumed, merged across shards.
