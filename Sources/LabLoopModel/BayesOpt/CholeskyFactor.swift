import Foundation

/// Why a symmetric matrix could not be factorised.
public struct CholeskyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// Not positive definite, even with the largest jitter on the diagonal.
        case notPositiveDefinite
        /// The matrix holds NaN or infinity, or its diagonal is not positive.
        case notFinite
        /// The element count does not match the order.
        case wrongSize
    }

    /// What went wrong.
    public var code: Code
    /// What was being done: "factorise" or "append".
    public var operation: String
    /// The order of the matrix concerned.
    public var order: Int
    /// The largest jitter added to the diagonal before giving up.
    public var jitter: Double

    /// What failed and what to try.
    public var description: String {
        switch code {
        case .notPositiveDefinite:
            "Cholesky \(operation) failed: the \(order)×\(order) matrix is not positive definite even with "
                + "\(formatJitter(jitter)) added to its diagonal; check for duplicated inputs or use more noise"
        case .notFinite:
            "Cholesky \(operation) failed: the \(order)×\(order) matrix holds NaN, infinity or a non-positive "
                + "diagonal; check the inputs and hyperparameters"
        case .wrongSize:
            "Cholesky \(operation) failed: the element count does not match order \(order)"
        }
    }

    private func formatJitter(_ value: Double) -> String { String(format: "%.3g", value) }
}

/// The lower-triangular Cholesky factor L of a symmetric positive-definite matrix A = L·Lᵀ.
///
/// Stored row-major with spare columns, so a row can be appended (`append(column:diagonal:)`)
/// in O(n²) when a Gaussian process conditions on one more point.
public struct CholeskyFactor: Sendable {
    /// The order n of the matrix.
    public private(set) var order: Int
    /// What was added to the diagonal to make the factorisation succeed; 0 when nothing was.
    public let jitter: Double
    /// Row-major rows of length `stride`; only the lower triangle of the first `order` rows is used.
    var storage: [Double]
    var stride: Int

    /// Factorises the symmetric n×n row-major `matrix` (only its lower triangle is read).
    ///
    /// When the matrix is numerically singular, retries with jitter added to the diagonal,
    /// starting at 1e-9 × the mean diagonal and growing tenfold up to 1e-2 × the mean diagonal.
    public init(symmetric matrix: [Double], order: Int) throws(CholeskyError) {
        try self.init(symmetric: matrix, order: order, reserving: 0)
    }

    /// As `init(symmetric:order:)`, with room for `extra` rows to be appended without copying.
    init(symmetric matrix: [Double], order: Int, reserving extra: Int) throws(CholeskyError) {
        guard order >= 0, matrix.count == order * order else {
            throw CholeskyError(code: .wrongSize, operation: "factorise", order: order, jitter: 0)
        }
        let stride = max(order + max(extra, 0), 1)
        var meanDiagonal = 0.0
        for i in 0..<order { meanDiagonal += matrix[i * order + i] }
        meanDiagonal /= Double(max(order, 1))
        guard order == 0 || (meanDiagonal.isFinite && meanDiagonal > 0) else {
            throw CholeskyError(code: .notFinite, operation: "factorise", order: order, jitter: 0)
        }
        // Square storage so appended rows fit without reallocating.
        var storage = [Double](repeating: 0, count: stride * stride)
        var jitter = 0.0
        while true {
            if Self.factorise(matrix, order: order, jitter: jitter, into: &storage, stride: stride) { break }
            // A NaN anywhere poisons every retry; say so instead of blaming definiteness.
            guard matrix.allSatisfy(\.isFinite) else {
                throw CholeskyError(code: .notFinite, operation: "factorise", order: order, jitter: jitter)
            }
            jitter = jitter == 0 ? 1e-9 * meanDiagonal : jitter * 10
            guard jitter <= 1e-2 * meanDiagonal * (1 + 1e-12) else {
                throw CholeskyError(code: .notPositiveDefinite, operation: "factorise", order: order,
                                    jitter: jitter / 10)
            }
        }
        self.order = order
        self.jitter = jitter
        self.storage = storage
        self.stride = stride
    }

    /// Row-by-row (Cholesky–Banachiewicz) factorisation into `storage`; false on a non-positive pivot.
    ///
    /// Each element is a dot product of two contiguous row prefixes, which suits row-major
    /// storage. Rows are done in pairs so each earlier row is loaded once for both.
    private static func factorise(_ matrix: [Double], order n: Int, jitter: Double,
                                  into storage: inout [Double], stride: Int) -> Bool {
        matrix.withUnsafeBufferPointer { a in
            storage.withUnsafeMutableBufferPointer { l in
                guard let a = a.baseAddress, let l = l.baseAddress else { return n == 0 }
                /// Completes row i from its entries before `start` on, and its diagonal.
                func finishRow(_ i: Int, from start: Int) -> Bool {
                    let row = l + i * stride
                    for j in start..<i {
                        let other = l + j * stride
                        row[j] = (a[i * n + j] - VectorOps.dot(row, other, j)) / other[j]
                    }
                    let pivot = a[i * n + i] + jitter - VectorOps.sumOfSquares(row, i)
                    guard pivot > 0, pivot.isFinite else { return false }
                    row[i] = pivot.squareRoot()
                    return true
                }
                var i = 0
                while i + 1 < n {
                    let first = l + i * stride, second = l + (i + 1) * stride
                    for j in 0..<i {
                        let other = l + j * stride
                        let (dotFirst, dotSecond) = VectorOps.dot2(other, first, second, j)
                        first[j] = (a[i * n + j] - dotFirst) / other[j]
                        second[j] = (a[(i + 1) * n + j] - dotSecond) / other[j]
                    }
                    guard finishRow(i, from: i), finishRow(i + 1, from: i) else { return false }
                    i += 2
                }
                return i == n || finishRow(i, from: 0)
            }
        }
    }

    /// L[row, column]; zero above the diagonal.
    public subscript(row: Int, column: Int) -> Double {
        precondition(row >= 0 && row < order && column >= 0 && column < order, "index outside the factor")
        return column > row ? 0 : storage[row * stride + column]
    }

    /// L as a compact n×n row-major array, zeros above the diagonal.
    public var lowerTriangle: [Double] {
        var result = [Double](repeating: 0, count: order * order)
        for i in 0..<order {
            for j in 0...i { result[i * order + j] = storage[i * stride + j] }
        }
        return result
    }

    /// log det A = 2 Σ log L[i, i] (of the jittered matrix).
    public var logDeterminant: Double {
        var sum = 0.0
        for i in 0..<order { sum += log(storage[i * stride + i]) }
        return 2 * sum
    }

    /// Extends the factor of A to that of [[A, c], [cᵀ, d]] in O(n²), adding the factor's jitter to d.
    mutating func append(column: [Double], diagonal: Double) throws(CholeskyError) {
        precondition(column.count == order, "the new column needs \(order) entries")
        var row = column
        solveLower(&row)
        let pivot = diagonal + jitter - row.reduce(0) { $0 + $1 * $1 }
        guard pivot > 0, pivot.isFinite else {
            throw CholeskyError(code: pivot.isFinite ? .notPositiveDefinite : .notFinite, operation: "append",
                                order: order + 1, jitter: jitter)
        }
        if order + 1 > stride { grow(to: order + 1 + max(16, order / 4)) }
        for j in 0..<order { storage[order * stride + j] = row[j] }
        storage[order * stride + order] = pivot.squareRoot()
        order += 1
    }

    /// Copies the rows into storage with a wider stride.
    private mutating func grow(to newStride: Int) {
        var wider = [Double](repeating: 0, count: newStride * newStride)
        for i in 0..<order {
            for j in 0...i { wider[i * newStride + j] = storage[i * stride + j] }
        }
        storage = wider
        stride = newStride
    }
}
