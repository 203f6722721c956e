//! rebt-risk's integration tests, in one test binary: the golden checks against scikit-learn,
//! numpy, PyPortfolioOpt and riskfolio-lib (`reference`), and hand-checked constraint cases
//! (`constraints`).

mod constraints;
mod reference;
