/// Sobol' low-discrepancy points in the unit cube [0, 1)^d.
///
/// Uses Joe and Kuo's direction numbers (the `new-joe-kuo-6.21201` set) with 32 bits of
/// resolution and the Gray-code ordering, so the points come in the same order as other
/// standard implementations. The all-zeros point that starts the raw sequence is skipped:
/// `point(at: 0)` is `[0.5, 0.5, …]`, then `[0.75, 0.25, …]`, `[0.25, 0.75, …]`, …
///
/// An optional Cranley–Patterson shift, drawn from a seed, adds the same random offset
/// (modulo 1) to every point, so different campaigns get different but equally even designs.
/// The shift is applied to the 32-bit integers, so it is exact and keeps points distinct.
public struct SobolSequence: Sendable {
    /// Thrown for a dimension this implementation has no direction numbers for.
    public struct UnsupportedDimension: Error, Sendable, Hashable, CustomStringConvertible {
        /// The dimension that was asked for.
        public var requested: Int

        public init(requested: Int) {
            self.requested = requested
        }

        public var description: String {
            "a Sobol sequence needs a dimension between 1 and \(SobolSequence.maximumDimension), not \(requested); "
                + "use a random design for larger spaces"
        }
    }

    /// The largest supported dimension.
    public static let maximumDimension = directionNumbers.count + 1

    /// The largest index `point(at:)` accepts: the skipped origin plus the index must fit in 32 bits.
    public static let maximumIndex = Int(UInt32.max) - 1

    private static let bits = 32

    /// How many coordinates each point has.
    public let dimension: Int
    /// `directions[j * bits + k]` is direction number k of coordinate j, as a 32-bit fraction.
    private let directions: [UInt32]
    /// Per-coordinate Cranley–Patterson offset, as a 32-bit fraction (all zero when unshifted).
    private let shift: [UInt32]

    /// The unshifted sequence.
    public init(dimension: Int) throws(UnsupportedDimension) {
        try self.init(dimension: dimension, shiftSeed: nil)
    }

    /// The sequence shifted by a random offset drawn from `shiftSeed`, or unshifted when it is nil.
    public init(dimension: Int, shiftSeed: UInt64?) throws(UnsupportedDimension) {
        guard (1...Self.maximumDimension).contains(dimension) else {
            throw UnsupportedDimension(requested: dimension)
        }
        self.dimension = dimension
        var directions: [UInt32] = []
        directions.reserveCapacity(dimension * Self.bits)
        // The first coordinate is the van der Corput sequence in base 2.
        directions += (0..<Self.bits).map { UInt32(1) << (Self.bits - 1 - $0) }
        for entry in Self.directionNumbers.prefix(dimension - 1) {
            directions += Self.expand(entry)
        }
        self.directions = directions
        if let shiftSeed {
            var generator = SplitMix64(seed: shiftSeed)
            shift = (0..<dimension).map { _ in UInt32(truncatingIfNeeded: generator.next() >> 32) }
        } else {
            shift = Array(repeating: 0, count: dimension)
        }
    }

    /// Point number `index` (from 0) of the sequence; every coordinate is in [0, 1).
    public func point(at index: Int) -> [Double] {
        precondition((0...Self.maximumIndex).contains(index), "Sobol index \(index) is outside 0...\(Self.maximumIndex)")
        let n = UInt32(index + 1)
        let gray = n ^ (n >> 1)
        return (0..<dimension).map { coordinate in
            var bitsLeft = gray
            var x: UInt32 = 0
            while bitsLeft != 0 {
                x ^= directions[coordinate * Self.bits + bitsLeft.trailingZeroBitCount]
                bitsLeft &= bitsLeft - 1
            }
            return Double(x &+ shift[coordinate]) * 0x1p-32
        }
    }

    /// The 32 direction numbers of one coordinate from its primitive polynomial and initial numbers.
    private static func expand(_ entry: DirectionNumbers) -> [UInt32] {
        let degree = entry.degree
        var v = [UInt32](repeating: 0, count: bits)
        for k in 0..<bits {
            if k < degree {
                v[k] = entry.initial[k] << (bits - 1 - k)
                continue
            }
            // Bratley–Fox recurrence: the polynomial's inner coefficients pick earlier numbers.
            var value = v[k - degree] ^ (v[k - degree] >> degree)
            for i in 1..<degree where (entry.coefficients >> (degree - 1 - i)) & 1 == 1 {
                value ^= v[k - i]
            }
            v[k] = value
        }
        return v
    }
}
