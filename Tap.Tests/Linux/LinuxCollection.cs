namespace Tap.Tests.Linux;

/// <summary>Real-kernel tests run one at a time: they count the process's fds, create namespaces and send
/// signals to the test process, none of which may interleave.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LinuxCollection
{
    public const string Name = "Linux kernel";
}
