//! Walk-forward optimisation: optimise in sample, run the winner out of sample, stitch the out-of-sample equity.
