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
