import Foundation
import LabLoopModel
import Testing

@Suite struct CholeskyFactorTests {
    /// The textbook example: A = L·Lᵀ with L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]].
    let matrix: [Double] = [4, 12, -16, 12, 37, -43, -16, -43, 98]

    @Test func factorsAKnownMatrix() throws {
        let factor = try CholeskyFactor(symmetric: matrix, order: 3)
        let expected: [Double] = [2, 0, 0, 6, 1, 0, -8, 5, 3]
        for (actual, wanted) in zip(factor.lowerTriangle, expected) { #expect(abs(actual - wanted) < 1e-12) }
        #expect(factor.jitter == 0)
        #expect(abs(factor.logDeterminant - 2 * log(6.0)) < 1e-12)
    }

    @Test func solvesAndInverts() throws {
        let factor = try CholeskyFactor(symmetric: matrix, order: 3)
        let x = [1.0, -2.0, 0.5]
        let b = (0..<3).map { row in (0..<3).reduce(0.0) { $0 + matrix[row * 3 + $1] * x[$1] } }
        for (solved, wanted) in zip(factor.solve(b), x) { #expect(abs(solved - wanted) < 1e-10) }
        // L·(L⁻¹b) = b and Lᵀ(L⁻ᵀb) = b.
        let forward = factor.solvingLower(b)
        let lower = factor.lowerTriangle
        for row in 0..<3 {
            let value = (0..<3).reduce(0.0) { $0 + lower[row * 3 + $1] * forward[$1] }
            #expect(abs(value - b[row]) < 1e-10)
        }
        let backward = factor.solvingUpper(b)
        for row in 0..<3 {
            let value = (0..<3).reduce(0.0) { $0 + lower[$1 * 3 + row] * backward[$1] }
            #expect(abs(value - b[row]) < 1e-10)
        }
        let inverse = factor.inverse()
        for row in 0..<3 {
            for column in 0..<3 {
                let product = (0..<3).reduce(0.0) { $0 + matrix[row * 3 + $1] * inverse[$1 * 3 + column] }
                #expect(abs(product - (row == column ? 1 : 0)) < 1e-10)
            }
        }
    }

    /// A rank-one matrix is singular: the factorisation succeeds only by adding jitter, and
    /// then reproduces the jittered matrix.
    @Test func singularMatrixGetsJitter() throws {
        let ones = [Double](repeating: 1, count: 9)
        let factor = try CholeskyFactor(symmetric: ones, order: 3)
        #expect(factor.jitter >= 1e-9)
        #expect(factor.jitter <= 1e-2)
        let lower = factor.lowerTriangle
        for row in 0..<3 {
            for column in 0..<3 {
                let product = (0..<3).reduce(0.0) { $0 + lower[row * 3 + $1] * lower[column * 3 + $1] }
                #expect(abs(product - 1 - (row == column ? factor.jitter : 0)) < 1e-9)
            }
        }
    }

    @Test func indefiniteMatrixFailsWithATypedError() {
        // Eigenvalues 3 and −1: no jitter up to 1e-2 of the diagonal helps.
        #expect(throws: CholeskyError.self) { try CholeskyFactor(symmetric: [1, 2, 2, 1], order: 2) }
        do {
            _ = try CholeskyFactor(symmetric: [1, 2, 2, 1], order: 2)
        } catch {
            #expect(error.code == .notPositiveDefinite)
            #expect(abs(error.jitter - 1e-2) < 1e-12)
        }
        do {
            _ = try CholeskyFactor(symmetric: [1, .nan, .nan, 1], order: 2)
            Issue.record("a NaN matrix must not factorise")
        } catch {
            #expect(error.code == .notFinite)
        }
        do {
            _ = try CholeskyFactor(symmetric: [1, 0, 0], order: 2)
            Issue.record("three elements cannot be a 2×2 matrix")
        } catch {
            #expect(error.code == .wrongSize)
        }
    }

    /// A larger matrix exercises the SIMD paths (rows longer than eight) and the blocked inverse.
    @Test func largerMatrixRoundTrips() throws {
        let n = 40
        let points = (0..<n).map { Double($0) / Double(n) }
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { matrix[i * n + j] = exp(-abs(points[i] - points[j]) * 4) + (i == j ? 0.01 : 0) }
        }
        let factor = try CholeskyFactor(symmetric: matrix, order: n)
        let inverse = factor.inverse()
        for row in stride(from: 0, to: n, by: 7) {
            for column in 0..<n {
                let product = (0..<n).reduce(0.0) { $0 + matrix[row * n + $1] * inverse[$1 * n + column] }
                #expect(abs(product - (row == column ? 1 : 0)) < 1e-8)
            }
        }
    }
}
