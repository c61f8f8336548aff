/// The inner loops of the dense linear algebra, on raw pointers.
///
/// Written with explicit SIMD accumulators because the compiler may not reorder a floating-point
/// sum by itself, so a plain `for` loop would add one product at a time. Callers guarantee that
/// every pointer addresses at least `count` elements.
enum VectorOps {
    /// Σ a[i]·b[i] for i in 0..<count.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        var low = SIMD4<Double>()
        var high = SIMD4<Double>()
        var i = 0
        while i + 8 <= count {
            low += load(a + i) * load(b + i)
            high += load(a + i + 4) * load(b + i + 4)
            i += 8
        }
        var sum = (low + high).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// (Σ a[i]·b[i], Σ a[i]·c[i]) for i in 0..<count: two dot products sharing the loads of `a`,
    /// which is what makes the two-row loops of the factorisation faster than one row at a time.
    @inline(__always)
    static func dot2(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafePointer<Double>,
                     _ count: Int) -> (Double, Double) {
        var first = SIMD4<Double>()
        var second = SIMD4<Double>()
        var i = 0
        while i + 4 <= count {
            let shared = load(a + i)
            first += shared * load(b + i)
            second += shared * load(c + i)
            i += 4
        }
        var sums = (first.sum(), second.sum())
        while i < count {
            sums.0 += a[i] * b[i]
            sums.1 += a[i] * c[i]
            i += 1
        }
        return sums
    }

    /// y[i] += alpha·x[i] for i in 0..<count.
    @inline(__always)
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int) {
        let scale = SIMD4<Double>(repeating: alpha)
        var i = 0
        while i + 4 <= count {
            store(load(UnsafePointer(y + i)) + scale * load(x + i), to: y + i)
            i += 4
        }
        while i < count {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// Σ x[i]² for i in 0..<count.
    @inline(__always)
    static func sumOfSquares(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
        dot(x, x, count)
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inline(__always)
    private static func store(_ value: SIMD4<Double>, to pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD4<Double>.self)
    }
}
