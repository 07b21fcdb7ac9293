using System.Collections.Immutable;
using System.Globalization;

namespace Tap.Tests.Model;

public static partial class NetdevReferenceModel
{
    /// <summary>The bridge helper (helpers-and-scripts.md §2, B-rules) as this model runs it.</summary>
    private sealed partial class Run
    {
        private static string? CheckHelperAndBridge(string helper, string br)
        {
            if (helper.Trim(' ', '\t').Length == 0)
            {
                return OurMessages.HelperEmpty;
            }

            return IsValidBridgeName(br) ? null : OurMessages.BridgeNameInvalid;
        }

        private HelperBehaviour? _helperBehaviour;

        private bool HelperVnet() => _helperBehaviour?.Action == HelperAction.SendsTapFd;

        /// <summary>B-rules with our fixes: no shell, no fd 0 on EOF, received fd closed on failure.</summary>
        private (int Fd, string? Error, FailurePhase Phase) RunHelper(string helper, string br)
        {
            var words = HelperWords(helper);
            var commandMode = helper.Contains(' ', StringComparison.Ordinal) || helper.Contains('\t', StringComparison.Ordinal);
            var a = LowestFree(-1);
            var b = LowestFree(a);
            var argv = words.Add("--use-vnet").Add(string.Create(CultureInfo.InvariantCulture, $"--fd={b}"));
            if (!(commandMode && helper.Contains("--br=", StringComparison.Ordinal)))
            {
                argv = argv.Add($"--br={br}");
            }

            _helperArgv = argv;
            var behaviour = env.Helpers.GetValueOrDefault(words[0]) ?? new HelperBehaviour(HelperAction.ClosesWithoutSending, 1, NotRunnable: true);
            _helperBehaviour = behaviour;
            var sendsFd = behaviour.Action is HelperAction.SendsTapFd or HelperAction.SendsTapFdWithoutVnetHdr or HelperAction.SendsNonTapFd;
            if (sendsFd)
            {
                _helperFd = b;
            }

            if (behaviour.ExitCode != 0)
            {
                return (-1, $"{HelperFailed} ({behaviour.Cause})", FailurePhase.Helper);
            }

            if (!sendsFd)
            {
                return (-1, OurMessages.HelperSentNoFd, FailurePhase.Helper);
            }

            if (behaviour.Action == HelperAction.SendsNonTapFd)
            {
                return (-1, ProbeMessage(b, ModelErrno.ENOTTY), FailurePhase.HelperFd);
            }

            return (b, null, FailurePhase.Helper);
        }

        private int LowestFree(int alsoUsed)
        {
            var n = 0;
            while (env.Fds.ContainsKey(n) || n == alsoUsed)
            {
                n++;
            }

            return n;
        }
    }
}
