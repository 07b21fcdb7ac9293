using Tap.Core.Abi;
using Tap.Core.Net;
using Tap.Core.Os;

namespace Tap.Core.Init;

/// <summary>B1-B8: run a bridge helper and take the tap fd it sends. Never through a shell (D-19).</summary>
public static class BridgeHelperRunner
{
    /// <summary>
    /// The argv QEMU's helper would see (B5), built without a shell: a helper text with blanks is split into words
    /// (QEMU hands it to <c>sh -c</c>, where a bridge name can inject commands).
    /// </summary>
    public static HelperLaunch BuildLaunch(string helper, string bridge)
    {
        bool commandMode = helper.Contains(' ') || helper.Contains('\t');
        if (!commandMode)
        {
            return new HelperLaunch(helper, new[] { "--use-vnet" }, new[] { "--br=" + bridge });
        }

        var words = helper.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        var before = new List<string>(words.Length);
        for (int i = 1; i < words.Length; i++)
        {
            before.Add(words[i]);
        }
        before.Add("--use-vnet");
        var after = helper.Contains("--br=", StringComparison.Ordinal)
            ? Array.Empty<string>()
            : new[] { "--br=" + bridge };
        return new HelperLaunch(words.Length > 0 ? words[0] : helper, before, after);
    }

    /// <summary>
    /// Checks made before anything runs: a helper to run at all, and a bridge name that is one (D-19).
    /// </summary>
    public static string? CheckOptions(string helper, string bridge)
    {
        if (helper.Trim(' ', '\t').Length == 0)
        {
            return InitMessages.HelperEmpty;
        }
        return IsValidBridgeName(bridge) ? null : InitMessages.BridgeNameInvalid;
    }

    /// <summary>D-19: 1 to 15 bytes, no '/', ':', whitespace or control characters.</summary>
    public static bool IsValidBridgeName(string br)
    {
        if (br.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(br) > NetLimits.IfNameMaxBytes)
        {
            return false;
        }
        foreach (char c in br)
        {
            if (c == '/' || c == ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Runs the helper; on success the caller owns the returned fd, on failure nothing stays open.</summary>
    public static (Fd Fd, string? Error) Run(IOsNet os, string helper, string bridge, ProgramOutcomes outcomes)
    {
        var outcome = os.RunBridgeHelper(BuildLaunch(helper, bridge));
        if (outcome.Receive != HelperReceive.SocketPairFailed) // else no child ran
        {
            outcomes.Record(ProgramKind.BridgeHelper, outcome.Child);
        }
        switch (outcome.Receive)
        {
            case HelperReceive.SocketPairFailed:
                return (default, $"socketpair() failed: {ErrnoText.Of(outcome.Error)}");
            case HelperReceive.Error when outcome.Child.End is not (ChildEnd.SpawnFailed or ChildEnd.TimedOut):
                return (default, $"failed to recv file descriptor: {ErrnoText.Of(outcome.Error)}");
        }

        if (outcome.Child.End == ChildEnd.SpawnFailed)
        {
            return (default, $"Can't fork bridge helper: {ErrnoText.Of(outcome.Child.Error)}");
        }

        if (!outcome.Child.Succeeded)
        {
            if (outcome.Receive == HelperReceive.Fd)
            {
                // QEMU leaks the fd here (D-7).
                os.Close(outcome.ReceivedFd);
            }
            return (default, outcome.Child.End switch
            {
                ChildEnd.TimedOut => "bridge helper did not finish in time and was killed",
                ChildEnd.WaitFailed => $"bridge helper: could not wait for it: {ErrnoText.Of(outcome.Child.Error)}",
                // QEMU's text, then why (D-27): QEMU does not say.
                _ => $"bridge helper failed ({outcome.Child.Cause})",
            });
        }

        return outcome.Receive == HelperReceive.Fd
            ? (outcome.ReceivedFd, null)
            : (default, InitMessages.HelperSentNoFd);
    }
}
