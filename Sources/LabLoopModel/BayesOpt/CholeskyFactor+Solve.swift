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
    /// Computes L⁻¹ by forward substitution on the identity (it stays lower triangular), then
    /// A⁻¹ = L⁻ᵀL⁻¹ as a sum of outer products of its rows: n³/3 multiply-adds in all.
    public func inverse() -> [Double] {
        let n = order, stride = stride
        var lowerInverse = [Double](repeating: 0, count: n * n)
        var result = [Double](repeating: 0, count: n * n)
        storage.withUnsafeBufferPointer { l in
            lowerInverse.withUnsafeMutableBufferPointer { inv in
                result.withUnsafeMutableBufferPointer { out in
                    guard let l = l.baseAddress, let inv = inv.baseAddress, let out = out.baseAddress else { return }
                    for i in 0..<n {
                        let row = l + i * stride
                        let target = inv + i * n
                        target[i] = 1
                        // Row j of L⁻¹ is zero beyond column j.
                        for j in 0..<i where row[j] != 0 {
                            VectorOps.axpy(-row[j], inv + j * n, target, j + 1)
                        }
                        let scale = 1 / row[i]
                        for c in 0...i { target[c] *= scale }
                    }
                    // out[a, b] = Σ_k inv[k, a]·inv[k, b]: accumulate the lower triangle row by row of inv.
                    for k in 0..<n {
                        let source = inv + k * n
                        for a in 0...k where source[a] != 0 {
                            VectorOps.axpy(source[a], source, out + a * n, a + 1)
                        }
                    }
                    for a in 0..<n {
                        for b in 0..<a { out[b * n + a] = out[a * n + b] }
                    }
                }
            }
        }
        return result
    }
}
