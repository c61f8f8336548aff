extension SobolSequence {
    /// One coordinate's generator: a primitive polynomial over GF(2) and its initial direction numbers.
    struct DirectionNumbers: Sendable {
        /// Degree s of the primitive polynomial.
        var degree: Int
        /// The polynomial's inner coefficients a_1 … a_(s-1), most significant first (Joe–Kuo's `a`).
        var coefficients: UInt32
        /// The first s direction numbers m_1 … m_s (odd, m_k < 2^k).
        var initial: [UInt32]
    }

    /// Joe and Kuo's `new-joe-kuo-6.21201` parameters for coordinates 2 onwards (the trailing
    /// comment is the coordinate's number). Coordinate 1 needs no entry: it is van der Corput.
    /// These are the search results that give good two-dimensional projections; changing one
    /// silently degrades every design, so the tests compare the first points with the reference.
    static let directionNumbers: [DirectionNumbers] = [
        .init(degree: 1, coefficients: 0, initial: [1]), // 2
        .init(degree: 2, coefficients: 1, initial: [1, 3]), // 3
        .init(degree: 3, coefficients: 1, initial: [1, 3, 1]), // 4
        .init(degree: 3, coefficients: 2, initial: [1, 1, 1]), // 5
        .init(degree: 4, coefficients: 1, initial: [1, 1, 3, 3]), // 6
        .init(degree: 4, coefficients: 4, initial: [1, 3, 5, 13]), // 7
        .init(degree: 5, coefficients: 2, initial: [1, 1, 5, 5, 17]), // 8
        .init(degree: 5, coefficients: 4, initial: [1, 1, 5, 5, 5]), // 9
        .init(degree: 5, coefficients: 7, initial: [1, 1, 7, 11, 19]), // 10
        .init(degree: 5, coefficients: 11, initial: [1, 1, 5, 1, 1]), // 11
        .init(degree: 5, coefficients: 13, initial: [1, 1, 1, 3, 11]), // 12
        .init(degree: 5, coefficients: 14, initial: [1, 3, 5, 5, 31]), // 13
        .init(degree: 6, coefficients: 1, initial: [1, 3, 3, 9, 7, 49]), // 14
        .init(degree: 6, coefficients: 13, initial: [1, 1, 1, 15, 21, 21]), // 15
        .init(degree: 6, coefficients: 16, initial: [1, 3, 1, 13, 27, 49]), // 16
        .init(degree: 6, coefficients: 19, initial: [1, 1, 1, 15, 7, 5]), // 17
        .init(degree: 6, coefficients: 22, initial: [1, 3, 1, 15, 13, 25]), // 18
        .init(degree: 6, coefficients: 25, initial: [1, 1, 5, 5, 19, 61]), // 19
        .init(degree: 7, coefficients: 1, initial: [1, 3, 7, 11, 23, 15, 103]), // 20
        .init(degree: 7, coefficients: 4, initial: [1, 3, 7, 13, 13, 15, 69]), // 21
        .init(degree: 7, coefficients: 7, initial: [1, 1, 3, 13, 7, 35, 63]), // 22
        .init(degree: 7, coefficients: 8, initial: [1, 3, 5, 9, 1, 25, 53]), // 23
        .init(degree: 7, coefficients: 14, initial: [1, 3, 1, 13, 9, 35, 107]), // 24
        .init(degree: 7, coefficients: 19, initial: [1, 3, 1, 5, 27, 61, 31]), // 25
        .init(degree: 7, coefficients: 21, initial: [1, 1, 5, 11, 19, 41, 61]), // 26
        .init(degree: 7, coefficients: 28, initial: [1, 3, 5, 3, 3, 13, 69]), // 27
        .init(degree: 7, coefficients: 31, initial: [1, 1, 7, 13, 1, 19, 1]), // 28
        .init(degree: 7, coefficients: 32, initial: [1, 3, 7, 5, 13, 19, 59]), // 29
        .init(degree: 7, coefficients: 37, initial: [1, 1, 3, 9, 25, 29, 41]), // 30
        .init(degree: 7, coefficients: 41, initial: [1, 3, 5, 13, 23, 1, 55]), // 31
        .init(degree: 7, coefficients: 42, initial: [1, 3, 7, 3, 13, 59, 17]), // 32
        .init(degree: 7, coefficients: 50, initial: [1, 3, 1, 3, 5, 53, 69]), // 33
        .init(degree: 7, coefficients: 55, initial: [1, 1, 5, 5, 23, 33, 13]), // 34
        .init(degree: 7, coefficients: 56, initial: [1, 1, 7, 7, 1, 61, 123]), // 35
        .init(degree: 7, coefficients: 59, initial: [1, 1, 7, 9, 13, 61, 49]), // 36
        .init(degree: 7, coefficients: 62, initial: [1, 3, 3, 5, 3, 55, 33]), // 37
        .init(degree: 8, coefficients: 14, initial: [1, 3, 1, 15, 31, 13, 49, 245]), // 38
        .init(degree: 8, coefficients: 21, initial: [1, 3, 5, 15, 31, 59, 63, 97]), // 39
        .init(degree: 8, coefficients: 22, initial: [1, 3, 1, 11, 11, 11, 77, 249]), // 40
    ]
}
