//! [`Matrix`]: a dense row-major `f64` matrix, the one shape this crate passes around. A
//! window of returns is a `Matrix` of T rows (days, oldest first) by N columns (names), with
//! NaN marking a missing return (a suspension, a day before listing); a covariance is an
//! N × N `Matrix`. Construction checks the shape and nothing else: the estimators and
//! optimisers check the values they need (finite returns, a valid covariance).
//!
//! Also the small dense linear algebra the optimisers need, kept private: a Cholesky
//! factorisation of a positive semidefinite matrix (the square root for a volatility cone
//! and the check that a covariance has no negative eigenvalue) and a solve with a positive
//! definite matrix. Both are textbook O(N³) loops on matrices of at most a few hundred
//! names; a linear-algebra crate would add build time for nothing faster at this size.

use std::ops::Index;

use crate::error::{Result, RiskError};

/// A dense row-major matrix of `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A `rows` × `cols` matrix from its values in row-major order (row 0 first).
    ///
    /// Errors with [`RiskError::Dimension`] if `data.len() != rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Result<Self> {
        if data.len() != rows * cols {
            return Err(RiskError::Dimension {
                what: "matrix data",
                expected: format!("{rows} x {cols} = {} values", rows * cols),
                got: data.len(),
            });
        }
        Ok(Self { rows, cols, data })
    }

    /// A matrix from its rows; every row must have the same length.
    ///
    /// Errors with [`RiskError::Dimension`] naming the first row whose length differs from
    /// row 0's.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * cols);
        for row in rows {
            if row.len() != cols {
                return Err(RiskError::Dimension {
                    what: "matrix row",
                    expected: format!("{cols} values (the length of row 0)"),
                    got: row.len(),
                });
            }
            data.extend_from_slice(row);
        }
        Ok(Self {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// A `rows` × `cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `r` as a slice. Panics if `r >= rows()`, like slice indexing.
    pub fn row(&self, r: usize) -> &[f64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// The values in row-major order.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The rows as vectors (for serialising).
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        (0..self.rows).map(|r| self.row(r).to_vec()).collect()
    }

    /// The diagonal `m[(i, i)]` for `i < min(rows, cols)`.
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.rows.min(self.cols)).map(|i| self[(i, i)]).collect()
    }

    /// The square submatrix on `indices` (rows and columns, in that order): the covariance
    /// of a subset of names. Panics if an index is out of range.
    pub fn select(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(indices.len() * indices.len());
        for &i in indices {
            for &j in indices {
                data.push(self[(i, j)]);
            }
        }
        Matrix {
            rows: indices.len(),
            cols: indices.len(),
            data,
        }
    }

    /// The columns on `indices`, every row kept: a window restricted to some names.
    /// Panics if an index is out of range.
    pub fn select_columns(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(self.rows * indices.len());
        for r in 0..self.rows {
            let row = self.row(r);
            data.extend(indices.iter().map(|&j| row[j]));
        }
        Matrix {
            rows: self.rows,
            cols: indices.len(),
            data,
        }
    }

    /// `self · x` for a vector `x` of length `cols()`.
    pub(crate) fn mul_vec(&self, x: &[f64]) -> Vec<f64> {
        (0..self.rows)
            .map(|r| self.row(r).iter().zip(x).map(|(a, b)| a * b).sum())
            .collect()
    }

    /// `x' · self · x`.
    pub(crate) fn quadratic_form(&self, x: &[f64]) -> f64 {
        self.mul_vec(x).iter().zip(x).map(|(a, b)| a * b).sum()
    }

    pub(crate) fn set(&mut self, r: usize, c: usize, value: f64) {
        self.data[r * self.cols + c] = value;
    }
}

impl Index<(usize, usize)> for Matrix {
    type Output = f64;

    /// `m[(row, column)]`. Panics if out of range, like slice indexing.
    fn index(&self, (r, c): (usize, usize)) -> &f64 {
        assert!(r < self.rows && c < self.cols, "matrix index ({r}, {c}) out of range");
        &self.data[r * self.cols + c]
    }
}

/// Lower-triangular `L` with `L L' = a` for a symmetric positive semidefinite `a`.
///
/// A pivot within `tolerance` of zero (a zero eigenvalue, e.g. two perfectly correlated
/// names, up to rounding) gives a zero column of `L`, so `L L'` still equals `a` up to that
/// rounding; a pivot below `-tolerance` is a negative eigenvalue and an error.
pub(crate) fn cholesky_psd(a: &Matrix, tolerance: f64) -> Result<Matrix> {
    let n = a.rows();
    let mut l = Matrix::zeros(n, n);
    for j in 0..n {
        let mut pivot = a[(j, j)];
        for k in 0..j {
            pivot -= l[(j, k)] * l[(j, k)];
        }
        if pivot < -tolerance {
            return Err(RiskError::NotPositiveSemidefinite { pivot: j, value: pivot });
        }
        if pivot <= tolerance {
            continue;
        }
        let root = pivot.sqrt();
        l.set(j, j, root);
        for i in j + 1..n {
            let mut s = a[(i, j)];
            for k in 0..j {
                s -= l[(i, k)] * l[(j, k)];
            }
            l.set(i, j, s / root);
        }
    }
    Ok(l)
}

/// Solves `a x = b` for a symmetric positive definite `a` by Cholesky; `None` if `a` is not
/// positive definite.
pub(crate) fn solve_positive_definite(a: &Matrix, b: &[f64]) -> Option<Vec<f64>> {
    let n = a.rows();
    let l = cholesky_psd(a, 0.0).ok()?;
    if (0..n).any(|i| l[(i, i)] <= 0.0) {
        return None;
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[(i, k)] * y[k]).sum();
        y[i] = (b[i] - s) / l[(i, i)];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[(k, i)] * x[k]).sum();
        x[i] = (y[i] - s) / l[(i, i)];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_checked() {
        assert!(Matrix::new(2, 2, vec![1.0; 3]).is_err());
        assert!(Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).is_err());
        let m = Matrix::from_rows(&[vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]).expect("rectangular");
        assert_eq!((m.rows(), m.cols()), (2, 3));
        assert_eq!(m[(1, 2)], 6.0);
        assert_eq!(
            m.select_columns(&[2, 0]).to_rows(),
            vec![vec![3.0, 1.0], vec![6.0, 4.0]]
        );
    }

    #[test]
    fn cholesky_of_a_semidefinite_matrix_reproduces_it() {
        // rank 2: the third row is the sum of the first two
        let a = Matrix::from_rows(&[vec![4.0, 2.0, 6.0], vec![2.0, 3.0, 5.0], vec![6.0, 5.0, 11.0]]).expect("square");
        let l = cholesky_psd(&a, 1e-12).expect("semidefinite");
        for i in 0..3 {
            for j in 0..3 {
                let llt: f64 = (0..3).map(|k| l[(i, k)] * l[(j, k)]).sum();
                assert!((llt - a[(i, j)]).abs() < 1e-12, "({i},{j}) {llt}");
            }
        }
        assert_eq!(l[(2, 2)], 0.0);
        let indefinite = Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]]).expect("square");
        assert_eq!(
            cholesky_psd(&indefinite, 1e-12),
            Err(RiskError::NotPositiveSemidefinite { pivot: 1, value: -3.0 })
        );
    }

    #[test]
    fn positive_definite_solve() {
        let a = Matrix::from_rows(&[vec![4.0, 1.0], vec![1.0, 3.0]]).expect("square");
        let x = solve_positive_definite(&a, &[1.0, 2.0]).expect("definite");
        // 4x + y = 1, x + 3y = 2 -> x = 1/11, y = 7/11
        assert!((x[0] - 1.0 / 11.0).abs() < 1e-15 && (x[1] - 7.0 / 11.0).abs() < 1e-15);
    }
}
