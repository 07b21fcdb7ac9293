# Sourced by compare.sh and instructions.sh: the processes a benchmark starts, tracked by pid in the file "$pids"
# (set by the caller), and their end on every exit path.

started() { echo "$1" >>"$pids"; }

# Alive and not a zombie.
running() { [ -e "/proc/$1" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; }

# SIGTERM to every started process, up to TRIES x 50 ms for them to go, then SIGKILL to what is left; empties "$pids".
stop_started() {
  local tries=$1 pid
  [ -s "$pids" ] || return 0
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$pids"
  for _ in $(seq "$tries"); do
    local alive=0
    while read -r pid; do running "$pid" && alive=1; done <"$pids"
    [ "$alive" = 0 ] && break
    sleep 0.05
  done
  while read -r pid; do
    running "$pid" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
  done <"$pids"
  : >"$pids"
}
