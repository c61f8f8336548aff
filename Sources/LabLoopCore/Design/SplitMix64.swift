/// SplitMix64 (Steele, Lea and Flood): a tiny, fast, seedable generator.
///
/// Used wherever a campaign's randomness must be reproducible from its seed. The system
/// generator cannot be seeded, and designs that change between runs cannot be audited.
/// Not cryptographically secure.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The generator's whole state; each call to `next()` advances it by a fixed odd constant.
    public private(set) var state: UInt64

    /// A generator whose output depends only on `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
