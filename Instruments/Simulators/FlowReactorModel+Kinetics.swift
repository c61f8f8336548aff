import Foundation

/// The reaction network behind `FlowReactorModel`, in a plug-flow reactor:
///
///     A → B      desired, on the catalyst, Arrhenius, Langmuir saturation in the feed concentration
///     A + A → S  side reaction, second order, so it grows with the feed concentration
///     B → D      thermal degradation of the product, with the highest activation energy
///
/// The side reaction is taken as pseudo-first order in A with a rate proportional to the feed
/// concentration, so A decays exponentially and the yield has the closed form of consecutive
/// first-order reactions: cheap enough to evaluate millions of times in a grid search.
extension FlowReactorModel {
    /// Gas constant in kJ/(mol·K).
    private static let gasConstant = 8.314e-3
    /// Temperature (K) at which the pre-exponential factors below are the rate constants.
    private static let referenceTemperature = 363.15
    /// Langmuir adsorption constant of A (mol/L): the catalytic rate saturates well above this.
    private static let saturation = 2.0
    /// Side reaction: rate constant at the reference temperature (L/(mol·min)), activation energy (kJ/mol).
    private static let sideReaction = (rate: 0.15, activation: 25.0)
    /// Product degradation: rate constant at the reference temperature (1/min), activation energy (kJ/mol).
    private static let degradation = (rate: 0.02, activation: 140.0)

    /// Activity at the reference temperature (1/min) and activation energy (kJ/mol) for A → B.
    /// Pt's lower barrier makes it nearly as fast as Pd when cool; Pd wins where the optimum lies.
    private static func catalysis(on catalyst: Catalyst) -> (rate: Double, activation: Double) {
        switch catalyst {
        case .pd: (1.6, 58)
        case .pt: (1.1, 52)
        case .ni: (0.45, 68)
        case .cu: (0.2, 72)
        }
    }

    /// Yield and selectivity (%) after `residenceTime` minutes.
    static func outcome(temperature: Double, residenceTime: Double, concentration: Double,
                        catalyst: Catalyst) -> (yield: Double, selectivity: Double) {
        let kelvin = temperature + 273.15
        func arrhenius(_ parameters: (rate: Double, activation: Double)) -> Double {
            parameters.rate * exp(-parameters.activation / gasConstant * (1 / kelvin - 1 / referenceTemperature))
        }
        // Normalised so that the catalytic rate at 1 mol/L is the catalyst's activity.
        let coverage = (1 + saturation) * concentration / (saturation + concentration)
        let formationRate = arrhenius(catalysis(on: catalyst)) * coverage
        let consumptionRate = formationRate + arrhenius(sideReaction) * concentration
        let degradationRate = arrhenius(degradation)
        let t = residenceTime

        // B(t)/A0 = kf·e^(−kA·t)·(1 − e^(−(kD−kA)·t))/(kD−kA), written with expm1 so it stays
        // accurate when the two rates are close (where it tends to kf·t·e^(−kA·t)).
        let difference = degradationRate - consumptionRate
        let growth = abs(difference * t) < 1e-8 ? t : -expm1(-difference * t) / difference
        let product = formationRate * exp(-consumptionRate * t) * growth
        let conversion = -expm1(-consumptionRate * t)
        let selectivity = conversion > 0 ? product / conversion : formationRate / consumptionRate
        return (100 * product, 100 * selectivity)
    }
}
