using Tap.Cli;

namespace Tap.Tests.CommandLine;

/// <summary><c>-object filter-dump,...</c> parsed in process: QEMU's defaults and messages (QEMU 7.2's texts, as
/// CaptureTests sees them from the binary).</summary>
public sealed class FilterDumpOptionsTests
{
    [Theory(DisplayName = "filter-dump: id, netdev and file taken; maxlen 65536 unless given, in any base strtoull takes")]
    [InlineData("filter-dump,id=f0,netdev=t0,file=/tmp/t0.pcap", "f0", "t0", "/tmp/t0.pcap", 65536u)]
    [InlineData("filter-dump,id=f0,netdev=t0,file=x,maxlen=100", "f0", "t0", "x", 100u)]
    [InlineData("filter-dump,id=f0,netdev=t0,file=x,maxlen=0x40", "f0", "t0", "x", 64u)]
    [InlineData("filter-dump,id=f0,netdev=t0,file=x,maxlen=4294967295", "f0", "t0", "x", 4294967295u)]
    [InlineData("qom-type=filter-dump,file=x,netdev=t1,id=f9", "f9", "t1", "x", 65536u)]
    [InlineData("filter-dump,id=f0,netdev=t0,file=a,,b", "f0", "t0", "a,b", 65536u)]
    [InlineData("filter-dump,id=f0,netdev=t0,file=x,queue=all,status=on,position=head,insert=behind", "f0", "t0", "x",
        65536u)]
    public void Parsed(string text, string id, string netdev, string file, uint maxLen)
    {
        var (options, error) = FilterDumpOptions.Parse(text);
        Assert.Null(error);
        Assert.Equal(new FilterDumpOptions(id, netdev, file, maxLen), options);
    }

    [Theory(DisplayName = "filter-dump: QEMU's message for each missing or bad part")]
    [InlineData("id=f0,netdev=t0,file=x", "Parameter 'qom-type' is missing")]
    [InlineData("bogus,id=x", "Parameter 'qom-type' does not accept value 'bogus'")]
    [InlineData("filter-dumpx,id=f0,netdev=t0,file=x", "Parameter 'qom-type' does not accept value 'filter-dumpx'")]
    [InlineData("filter-dump,netdev=t0,file=x", "Parameter 'id' is missing")]
    [InlineData("filter-dump,id=f0,file=x", "Parameter 'netdev' is missing")]
    [InlineData("filter-dump,id=f0,netdev=t0", "Parameter 'file' is missing")]
    [InlineData("filter-dump,id=f0,netdev=t0,file=x,maxlen=abc", "Parameter 'maxlen' expects a uint64 value")]
    [InlineData("filter-dump,id=f0,netdev=t0,file=x,maxlen=-1", "Parameter 'maxlen' expects a uint64 value")]
    [InlineData("filter-dump,id=f0,netdev=t0,file=x,maxlen=4294967296", "Parameter 'maxlen' expects uint32_t")]
    [InlineData("filter-dump,id=f0,netdev=t0,file=x,snaplen=9", "Invalid parameter 'snaplen'")]
    public void Rejected(string text, string message)
    {
        var (options, error) = FilterDumpOptions.Parse(text);
        Assert.Null(options);
        Assert.Equal(message, error);
    }
}
