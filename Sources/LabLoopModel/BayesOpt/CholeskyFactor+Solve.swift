extension CholeskyFactor {
    /// x with L·x = b (forward substitution).
    public func solvingLower(_ b: [Double]) -> [Double] {
        var x = b
        solveLower(&x)
        return x
    }

    /// x with Lᵀ·x = b (back substitution).
    public func solvingUpper(_ b: [Double]) -> [Double] {
        var x = b
        solveUpper(&x)
        return x
    }

    /// x with A·x = b, where A = L·Lᵀ.
    public func solve(_ b: [Double]) -> [Double] {
        var x = b
        solveLower(&x)
        solveUpper(&x)
        return x
    }

    /// Replaces x by L⁻¹x. Row i of L is contiguous, so each step is one dot product.
    func solveLower(_ x: inout [Double]) {
        precondition(x.count == order, "the right-hand side needs \(order) entries")
        let n = order, stride = stride
        storage.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { x in
                guard let l = l.baseAddress, let x = x.baseAddress else { return }
                for i in 0..<n {
                    let row = l + i * stride
                    x[i] = (x[i] - VectorOps.dot(row, x, i)) / row[i]
                }
            }
        }
    }

    /// Replaces x by L⁻ᵀx. Works column by column of Lᵀ (row by row of L) to stay contiguous.
    func solveUpper(_ x: inout [Double]) {
        precondition(x.count == order, "the right-hand side needs \(order) entries")
        let n = order, stride = stride
        storage.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { x in
                guard let l = l.baseAddress, let x = x.baseAddress else { return }
                for i in Swift.stride(from: n - 1, through: 0, by: -1) {
                    let row = l + i * stride
                    x[i] /= row[i]
                    VectorOps.axpy(-x[i], row, x, i)
                }
            }
        }
    }

    /// Replaces the n×m row-major matrix B by L⁻¹B.
    ///
    /// Columns are processed in blocks so that a block of the solution stays in cache while L
    /// streams past; each update is an axpy along a contiguous row of the block.
    func solveLower(columns b: inout [Double], count m: Int) {
        precondition(b.count == order * m, "the right-hand side needs \(order) rows of \(m)")
        let n = order, stride = stride, block = 64
        storage.withUnsafeBufferPointer { l in
            b.withUnsafeMutableBufferPointer { b in
                guard let l = l.baseAddress, let b = b.baseAddress else { return }
                for start in Swift.stride(from: 0, to: m, by: block) {
                    let width = min(block, m - start)
                    for i in 0..<n {
                        let row = l + i * stride
                        let target = b + i * m + start
                        for j in 0..<i where row[j] != 0 {
                            VectorOps.axpy(-row[j], b + j * m + start, target, width)
                        }
                        let scale = 1 / row[i]
                        for c in 0..<width { target[c] *= scale }
                    }
                }
            }
        }
    }

    /// A⁻¹ as a compact n×n row-major array.
    ///
    /// Builds U = L⁻ᵀ row by row (row c of U is column c of L⁻¹), then A⁻¹ = L⁻ᵀL⁻¹ = U·Uᵀ.
    /// Both steps are contiguous dot products, which run faster than updates that store as
    /// they go: n³/3 multiply-adds in all.
    public func inverse() -> [Double] {
        let n = order, stride = stride
        var upper = [Double](repeating: 0, count: n * n)
        var result = [Double](repeating: 0, count: n * n)
        storage.withUnsafeBufferPointer { l in
            upper.withUnsafeMutableBufferPointer { u in
                result.withUnsafeMutableBufferPointer { out in
                    guard let l = l.baseAddress, let u = u.baseAddress, let out = out.baseAddress else { return }
                    for c in 0..<n {
                        let row = u + c * n
                        row[c] = 1 / l[c * stride + c]
                        // (L⁻¹)[i, c] = −Σ_{c≤j<i} L[i, j]·(L⁻¹)[j, c] / L[i, i].
                        for i in (c + 1)..<max(n, c + 1) {
                            let factorRow = l + i * stride
                            row[i] = -VectorOps.dot(factorRow + c, row + c, i - c) / factorRow[i]
                        }
                    }
                    // A⁻¹[a, b] = Σ_{k≥max(a,b)} U[a, k]·U[b, k].
                    for a in 0..<n {
                        let rowA = u + a * n
                        for b in a..<n {
                            let value = VectorOps.dot(rowA + b, u + b * n + b, n - b)
                            out[a * n + b] = value
                            out[b * n + a] = value
                        }
                    }
                }
            }
        }
        return result
    }
}
