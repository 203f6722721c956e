//! Parameter grids: `name=5..50:5` ranges and `name=a,b,c` lists, dotted paths into a TOML config, combinations in a fixed order, deterministic shards.
