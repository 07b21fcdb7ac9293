using System.Diagnostics;
using System.Globalization;
using Tap.Tests.Docs;
using Tap.Tests.Linux;
using Xunit.Abstractions;

namespace Tap.Tests.Cli;

/// <summary>
/// The real dotnet-counters (the repository's local tool) reads the tapnet meter of a running tapnet with nothing
/// configured in tapnet: counters arrive as increments per refresh, and their sum is the traffic sent.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class DotnetCountersTests(ITestOutputHelper output)
{
    private const int Datagrams = 20, Payload = 300;

    [SkippableFact(DisplayName = "dotnet-counters collect --counters tapnet: packets and bytes each way, as sent")]
    public async Task CollectSeesTheTraffic()
    {
        LinuxTestGate.RequireTun(output);
        LinuxTestGate.RequireTool(output, "python3", "python3");
        string root = RepoFiles.Root();
        var (restore, restoreOut, restoreErr) = Dotnet(root, TimeSpan.FromMinutes(5), "tool", "restore");
        Assert.True(restore == 0, $"dotnet tool restore failed: {restoreOut}{restoreErr}");

        using var dir = new TempDir();
        string csv = dir.File_("counters.csv");
        using var hub = HubTraffic.Start();
        using var counters = StartCollect(root, hub.Tapnet.Pid, csv);
        try
        {
            // The first collection is the baseline every later increment is counted from: traffic waits for it.
            WaitForRows(csv, counters, rows => rows.Any(r => r.Name.StartsWith("tapnet.", StringComparison.Ordinal)),
                "no tapnet row at all");
            await hub.SendUdp(Datagrams, Payload, 7791);
            var rows = WaitForRows(csv, counters,
                rows => Sum(rows, "tapnet.packets", "direction=tx;netdev=t0;queue=0") >= Datagrams,
                $"t0's tx packets never summed to {Datagrams}");

            long frame = Payload + HubTraffic.FrameOverhead;
            Assert.Equal(Datagrams, Sum(rows, "tapnet.packets", "direction=tx;netdev=t0;queue=0"));
            Assert.Equal(Datagrams * frame, Sum(rows, "tapnet.bytes", "direction=tx;netdev=t0;queue=0"));
            Assert.Equal(Datagrams, Sum(rows, "tapnet.packets", "direction=rx;netdev=t1;queue=0"));
            Assert.Equal(Datagrams * frame, Sum(rows, "tapnet.bytes", "direction=rx;netdev=t1;queue=0"));
            Assert.Equal(0, Sum(rows, "tapnet.packets", "direction=rx;netdev=t0;queue=0"));
            Assert.Equal(0, Sum(rows, "tapnet.packets", "direction=tx;netdev=t1;queue=0"));
            Assert.Equal(0, rows.Where(r => r.Name == "tapnet.drops").Sum(r => r.Value));
            Assert.Contains(rows, r => r.Name == "tapnet.stalls" && r.Tags == "kind=eagain;netdev=t1;queue=0");
            Assert.Contains(rows, r => r.Name == "tapnet.queue.length" && r.Tags == "direction=rx;netdev=t1;queue=0");
            Assert.Contains(rows, r => r.Unit == "By / 1 sec" && r.Name == "tapnet.bytes");
        }
        finally
        {
            if (!counters.HasExited)
            {
                counters.Kill(entireProcessTree: true);
            }
            output.WriteLine(File.Exists(csv) ? string.Join('\n', File.ReadLines(csv).Take(80)) : "(no csv)");
        }
    }

    private readonly record struct Row(string Name, string Unit, string Tags, long Value);

    private static long Sum(IEnumerable<Row> rows, string name, string tags) =>
        rows.Where(r => r.Name == name && r.Tags == tags).Sum(r => r.Value);

    /// <summary>
    /// Waits (60 s at most) until the rows dotnet-counters has flushed to <paramref name="csv"/> satisfy
    /// <paramref name="done"/>; it writes them in chunks, so this is a wait for an event, not for a time.
    /// </summary>
    private static List<Row> WaitForRows(string csv, Process counters, Func<List<Row>, bool> done, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var rows = ReadRows(csv);
            if (done(rows))
            {
                return rows;
            }
            Assert.False(counters.HasExited, $"{failure}: dotnet-counters exited ({rows.Count} rows)");
            Assert.True(DateTime.UtcNow < deadline, $"{failure} within 60 s ({rows.Count} rows)");
            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// Rows such as <c>ts,tapnet,tapnet.packets ({packet} / 1 sec)[direction=tx;netdev=t0;queue=0],Rate,20</c>.
    /// </summary>
    private static List<Row> ReadRows(string csv)
    {
        var rows = new List<Row>();
        if (!File.Exists(csv))
        {
            return rows;
        }
        using var stream = new FileStream(csv, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            if (f.Length != 5 || f[1] != "tapnet" || !double.TryParse(f[4], CultureInfo.InvariantCulture, out double v))
            {
                continue; // the header, or a last line still being written
            }
            int paren = f[2].IndexOf(" (", StringComparison.Ordinal);
            int close = f[2].IndexOf(")[", StringComparison.Ordinal);
            rows.Add(new Row(f[2][..paren], f[2][(paren + 2)..close], f[2][(close + 2)..^1], (long)v));
        }
        return rows;
    }

    private static Process StartCollect(string root, int pid, string csv)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in new[] { "tool", "run", "dotnet-counters", "--", "collect", "-p",
            pid.ToString(CultureInfo.InvariantCulture), "--counters", "tapnet", "--format", "csv", "-o", csv,
            "--refresh-interval", "1", "--duration", "00:00:03:00" })
        {
            info.ArgumentList.Add(a);
        }
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static (int Code, string Stdout, string Stderr) Dotnet(string root, TimeSpan limit, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish within {limit}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
