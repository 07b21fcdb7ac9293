using Tap.Core.Net;
using Tap.Core.Os;

namespace Tap.Core.Backend;

public sealed partial class TapBackend
{
    /// <summary>Runs the down script, if any, with the tap fd still open (S7); failures are reported only.</summary>
    private void RunDownScript()
    {
        if (DownScript.Length == 0 || !_fdOpen)
        {
            return;
        }
        var outcome = _os.RunScript(DownScript, DownScriptArg, _fd);
        Stack.Programs.Record(ProgramKind.DownScript, outcome);
        if (!outcome.Succeeded)
        {
            _os.Report(new Diagnostic(DiagnosticKind.Error, ScriptMessages.Failed(DownScript, outcome)));
        }
    }

    /// <summary>R41: process exit while this client exists: the down script only.</summary>
    public void OnProcessExit() => RunDownScript();

    /// <summary>R40: vhost, purge, down script, notifier, watch off, close.</summary>
    protected internal override void Cleanup()
    {
        if (!_fdOpen)
        {
            return;
        }
        if (VhostFd is { } vhost)
        {
            if (_vhostRunning)
            {
                // The front end stops vhost before its netdev goes (QEMU: the NIC's status change); do it here
                // if it did not, so the kernel never keeps the tap attached past cleanup.
                _os.VhostNetStop(vhost);
                _vhostRunning = false;
            }
            _os.VhostNetCleanup(vhost);
            _os.Close(vhost);
            VhostFd = null;
        }

        PurgeQueuedPackets();
        RunDownScript();
        Stack.RemoveExitNotifier(this);
        _readPoll = false;
        _writePoll = false;
        _os.Watch(_fd, this, false, false);
        _os.Close(_fd);
        _fdOpen = false;
    }
}
