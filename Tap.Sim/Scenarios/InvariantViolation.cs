namespace Tap.Sim.Scenarios;

/// <summary>A broken invariant, with the rule it belongs to.</summary>
public sealed class InvariantViolation(string message) : Exception(message);
