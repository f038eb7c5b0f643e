#!/usr/bin/env bash
# Re-records the sample strace traces that syscage's tests and docs use.
#
#   scripts/record-samples.sh [OUTDIR]      (default: samples/ next to this script's folder)
#
# Four workloads ("containers"), one folder each, several runs with different strace flag sets:
#   web/      python3 -m http.server on 127.0.0.1, driven by curl (only the server is traced)
#   db/       sqlite3 building a small database (tables, inserts, transactions, join + aggregate)
#   runtime/  node with a worker thread and a child process (threads: clone3, futex; fork + execve)
#   shell/    sh -c with a pipeline, a command substitution, redirects and a failing command
#
# Everything is recorded into a scratch directory first and only replaces OUTDIR's workload
# folders and README.md once every trace has been checked, so a failed run leaves the old samples.
# Traces larger than ~200 KB are gzipped. The workloads run with a small fixed environment
# (env -i PATH=... HOME=... LC_ALL=C TZ=UTC) and only talk to 127.0.0.1.
# shellcheck disable=SC2016  # backquotes in single quotes are Markdown, not command substitutions
set -euo pipefail

readonly PROG=record-samples
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
out=${1:-$repo/samples}
readonly GZIP_OVER=$((200 * 1024))
readonly WORKLOADS=(web db runtime shell)

# --- tools -------------------------------------------------------------------------------------

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed (needed for $2)"; }
need strace "recording"
need curl "driving the web server"
need sqlite3 "the db workload"
need node "the runtime workload"
need gzip "compressing large traces"
need awk "checking traces"

# Absolute paths, so the traces show the real binaries (not a pyenv/nvm shim) and the workloads
# can run under a minimal PATH.
STRACE=$(command -v strace)
if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else need python3 "the web workload"; PY=$(command -v python3); fi
SQLITE=$(command -v sqlite3)
NODE=$(command -v node)
CURL=$(command -v curl)
STRACE_VERSION=$("$STRACE" -V | head -n 1)
STRACE_FEATURES=$("$STRACE" -V | sed -n 's/^Optional features enabled: //p')

# Does ptrace work here? (containers often drop CAP_SYS_PTRACE or block ptrace with seccomp,
# and Yama's ptrace_scope=3 forbids it entirely).
if ! ptrace_err=$("$STRACE" -f -o /dev/null /bin/true 2>&1); then
  scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo "n/a")
  die "strace cannot trace on this machine, so no samples can be recorded.
  strace said: ${ptrace_err:-<nothing>}
  kernel.yama.ptrace_scope: $scope (3 disables ptrace until reboot)
  In a container, run it with --cap-add=SYS_PTRACE (and a seccomp profile that allows ptrace)."
fi

# --- scratch space and cleanup -------------------------------------------------------------------

# A fixed scratch path, not a mktemp name: the workloads' paths (web root, database, HOME) end up in
# the traces and so in every committed profile, and a random name would make each re-recording
# rewrite every file rule of profiles/ for nothing. Refused when it exists (another run, or leftovers).
tmp=${SYSCAGE_SAMPLES_SCRATCH:-/tmp/syscage-samples}
[[ $tmp == /* ]] || die "SYSCAGE_SAMPLES_SCRATCH must be an absolute path (got $tmp)"
mkdir "$tmp" 2>/dev/null || die "$tmp already exists (another recording running, or left over): remove it, or set SYSCAGE_SAMPLES_SCRATCH to another new path"
stage=$tmp/out      # the new samples/, written here first
work=$tmp/work      # the workloads' files (web root, database, shell output, ...)
logs=$tmp/logs      # the workloads' own stdout/stderr when strace writes to a file
mkdir -p "$stage" "$work" "$logs"

BG_PIDS=()          # background strace processes still running
cleanup() {
  local rc=$? pid
  for pid in "${BG_PIDS[@]}"; do
    [[ -n $pid ]] || continue
    if kill -0 "$pid" 2>/dev/null; then
      # Stop the tracees first (strace was started with set -m: it leads its own process group),
      # then strace itself.
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      sleep 0.5
      kill -KILL -- "-$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf -- "$tmp"
  if ((rc != 0)); then note "failed; $out was left as it was"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The fixed environment every recording runs in (shown in README.md).
home=$work/home
mkdir -p "$home"
readonly CLEAN_PATH=/usr/local/bin:/usr/bin:/bin
ENVV=(env -i PATH="$CLEAN_PATH" HOME="$home" LC_ALL=C TZ=UTC)
# Run strace by name when the clean PATH finds the same one, as people usually do: its own
# messages ("strace: Process 123 attached") then look as they usually do in stderr-form traces.
if [[ $(env -i PATH="$CLEAN_PATH" sh -c 'command -v strace' || true) == "$STRACE" ]]; then STRACE_RUN=strace; else STRACE_RUN=$STRACE; fi

# --- bookkeeping for README.md ---------------------------------------------------------------------

# Shell-quotes one word only when it needs it (readable command lines in README.md).
q() {
  if [[ $1 =~ ^[A-Za-z0-9_./:=,+@%^-]+$ ]]; then printf '%s' "$1"
  else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
cmdline() {
  local s="" a
  for a in "$@"; do s+="${s:+ }$(q "$a")"; done
  printf '%s' "$s"
}

REC_FILES=()        # path relative to OUTDIR (a folder for -ff runs)
REC_CMDS=()         # exact command line (run in OUTDIR)
REC_DESCS=()        # what it shows
REC_KINDS=()        # trace | trace+table | table | ff
remember() { REC_FILES+=("$1"); REC_KINDS+=("$2"); REC_CMDS+=("$3"); REC_DESCS+=("$4"); }

# record FILE KIND DESC STDIN FORM -- STRACE-ARGS... -- COMMAND...
#   FORM is "o" (strace writes FILE itself with -o; the tracee's output goes to a log) or
#   "stderr" (strace writes to its stderr, which is redirected to FILE together with the tracee's).
# Runs in $stage, so the -o paths are the paths inside OUTDIR. The command must exit with
# $EXPECT_RC (default 0).
EXPECT_RC=0
record() {
  local file=$1 kind=$2 desc=$3 in=$4 form=$5
  shift 5
  [[ $1 == -- ]] || die "record: bad call"
  shift
  local sargs=()
  while [[ $1 != -- ]]; do sargs+=("$1"); shift; done
  shift
  local cmd=("${ENVV[@]}" "$STRACE_RUN" "${sargs[@]}" "$@")
  local shown log rc=0
  shown="$(cmdline "${cmd[@]}") < $(q "$in")"
  log=$logs/${file//\//_}.log
  mkdir -p "$stage/$(dirname "$file")"
  note "recording $file"
  if [[ $form == stderr ]]; then
    (cd "$stage" && "${cmd[@]}" <"$in" >/dev/null 2>"$file") || rc=$?
    shown+=" > /dev/null 2> $(q "$file")"
  else
    (cd "$stage" && "${cmd[@]}" <"$in" >"$log" 2>&1) || rc=$?
    shown+=" > $(q "$log") 2>&1"
  fi
  ((rc == EXPECT_RC)) || { cat "$log" >&2 || true; die "$file: the traced command exited with $rc, expected $EXPECT_RC"; }
  remember "$file" "$kind" "$shown" "$desc"
}

# --- web: python3 -m http.server on 127.0.0.1 ------------------------------------------------------

site=$work/web/site
mkdir -p "$site/docs"
printf 'hello from syscage\n' >"$site/hello.txt"
printf '<!doctype html>\n<title>syscage sample</title>\n<p>A small page.</p>\n' >"$site/index.html"
printf '{"name": "syscage", "kind": "sample"}\n' >"$site/docs/data.json"
head -c 20000 /dev/zero | tr '\0' 'x' >"$site/docs/big.txt"

# One fixed port, as a containerized server has: a random port per run would put a new "listening
# port" into the Falco rules with every re-recording.
readonly WEB_PORT=${SYSCAGE_WEB_PORT:-8000}
if ! [[ $WEB_PORT =~ ^[0-9]+$ ]] || ((WEB_PORT < 1 || WEB_PORT > 65535)); then die "SYSCAGE_WEB_PORT must be a TCP port number (got $WEB_PORT)"; fi

# listening PORT: is there a TCP socket listening on 127.0.0.1:PORT? (reads /proc/net/tcp, so the
# readiness check makes no request the trace would show)
listening() {
  local hex
  hex=$(printf '0100007F:%04X' "$1")
  awk -v want="$hex" '$2 == want && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp
}

# wait_exit PID SECONDS: waits for a background process, at most SECONDS; returns its status.
wait_exit() {
  local pid=$1 limit=$2 i rc=0
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && return 124
  wait "$pid" || rc=$?
  return "$rc"
}

http() { # http METHOD PATH EXPECTED-STATUS
  local port=$1 method=$2 path=$3 want=$4 got
  local args=(--noproxy '*' -sS -o /dev/null -w '%{http_code}' --max-time 10)
  if [[ $method == HEAD ]]; then args+=(-I); fi
  got=$("$CURL" "${args[@]}" "http://127.0.0.1:$port$path") || die "curl $method $path failed"
  [[ $got == "$want" ]] || die "web: $method $path answered $got, expected $want"
}

# web_run FILE KIND DESC FORM STRACE-ARGS...
web_run() {
  local file=$1 kind=$2 desc=$3 form=$4
  shift 4
  local port spid tpid i rc=0 shown log
  port=$WEB_PORT
  ! listening "$port" || die "127.0.0.1:$port is already in use: stop what listens there, or set SYSCAGE_WEB_PORT to a free port"
  local cmd=("${ENVV[@]}" "$STRACE_RUN" "$@" "$PY" -m http.server --bind 127.0.0.1 --directory "$site" "$port")
  shown=$(cmdline "${cmd[@]}")
  log=$logs/${file//\//_}.log
  mkdir -p "$stage/$(dirname "$file")"
  note "recording $file (server on 127.0.0.1:$port)"
  # set -m: the server gets its own process group and, unlike other background jobs of a script,
  # does not start with SIGINT ignored, so Ctrl-C (SIGINT) ends it the normal way.
  set -m
  if [[ $form == stderr ]]; then
    (cd "$stage" && exec "${cmd[@]}" </dev/null >"$log" 2>"$file") &
    shown+=" < /dev/null > $(q "$log") 2> $(q "$file") &"
  else
    (cd "$stage" && exec "${cmd[@]}" </dev/null >"$log" 2>&1) &
    shown+=" < /dev/null > $(q "$log") 2>&1 &"
  fi
  spid=$!
  set +m
  BG_PIDS+=("$spid")

  for ((i = 0; i < 150; i++)); do   # up to 15 s for the port to open
    listening "$port" && break
    kill -0 "$spid" 2>/dev/null || { cat "$log" >&2 || true; die "$file: the server exited before listening"; }
    sleep 0.1
  done
  listening "$port" || die "$file: nothing listens on 127.0.0.1:$port after 15 s"
  tpid=$(awk '{ print $1 }' "/proc/$spid/task/$spid/children" 2>/dev/null || true)
  [[ -n $tpid ]] || tpid=$(pgrep -P "$spid" | head -n 1)
  [[ -n $tpid ]] || die "$file: cannot find the traced server's pid"

  http "$port" GET / 200                 # directory listing
  http "$port" GET /hello.txt 200
  http "$port" GET /docs/big.txt 200
  http "$port" GET /missing.html 404
  http "$port" HEAD /docs/data.json 200
  http "$port" GET /docs 301             # redirect to /docs/
  sleep 0.3                              # let the last handler thread finish

  kill -INT "$tpid"
  wait_exit "$spid" 15 || rc=$?
  if ((rc == 124)); then die "$file: the server did not stop within 15 s of SIGINT"; fi
  ((rc == 0)) || { cat "$log" >&2 || true; die "$file: strace/server exited with $rc"; }
  BG_PIDS=()
  remember "$file" "$kind" "$shown" "$desc"
}

WEB_DESC="python3 -m http.server on 127.0.0.1:$WEB_PORT serving a small folder; curl sends GET / (listing), GET /hello.txt, GET /docs/big.txt (20 kB), GET /missing.html (404), HEAD /docs/data.json, GET /docs (301); then SIGINT. One thread per request (clone3), accept4/recvfrom/sendto, the 'Keyboard interrupt received' exit."
web_run web/run1.f-o.trace trace "Plain -f trace written with -o: every line starts with the pid." o -f -s 256 -o web/run1.f-o.trace
web_run web/run2.f-stderr.trace trace "Written to stderr (no -o): '[pid N]' prefixes only while several tasks live, and the server's own log lines interleave with strace's (even mid-line)." stderr -f -s 256
web_run web/run3.f-tt-T-y.trace trace "Wall-clock times (-tt), durations (-T), fd paths/sockets (-y)." o -f -tt -T -y -s 256 -o web/run3.f-tt-T-y.trace
web_run web/run4.f-C.trace trace+table "The trace then strace's summary table (-C): an oracle for the parser's counts." o -f -C -s 256 -o web/run4.f-C.trace

# --- db: sqlite3 ---------------------------------------------------------------------------------

sql=$work/db/workload.sql
mkdir -p "$work/db"
cat >"$sql" <<'SQL'
CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE books(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id), title TEXT NOT NULL, year INTEGER);
INSERT INTO authors(name) VALUES ('Ada'), ('Brian'), ('Dennis'), ('Grace'), ('Ken');
BEGIN;
INSERT INTO books(author_id, title, year) VALUES (1, 'Notes', 1843), (2, 'Awk', 1988), (3, 'C', 1978), (3, 'Unix', 1974), (4, 'COBOL', 1959), (5, 'Plan 9', 1992);
UPDATE books SET year = year + 1 WHERE author_id = 3;
COMMIT;
BEGIN;
DELETE FROM books;
ROLLBACK;
CREATE INDEX books_by_author ON books(author_id);
SELECT a.name, count(b.id) AS n, min(b.year) AS first FROM authors a LEFT JOIN books b ON b.author_id = a.id GROUP BY a.id ORDER BY n DESC, a.name;
SELECT 'no such table:', count(*) FROM nosuchtable;
SQL

DB_DESC="sqlite3 creating a new database file (rollback journal) from a SQL script on stdin: two tables, inserts, a committed and a rolled-back transaction, an index, a LEFT JOIN + GROUP BY, and a failing last statement (no such table, so sqlite3 exits with 1). openat/pread64/pwrite64/fdatasync/fcntl locks/unlink of the journal."
db_run() { # db_run FILE KIND DESC-EXTRA STRACE-ARGS...
  local file=$1 kind=$2 extra=$3
  shift 3
  local dir
  dir=$work/db/$(basename "${file%%.*}")
  mkdir -p "$dir"
  EXPECT_RC=1   # the last statement fails on purpose: sqlite3 then exits with 1
  record "$file" "$kind" "$extra" "$sql" o -- "$@" -- "$SQLITE" "$dir/library.db"
  EXPECT_RC=0
}
db_run db/run1.f-C.trace trace+table "The trace then the summary table (-C)." -f -C -s 256 -o db/run1.f-C.trace
db_run db/run2.f-k.trace trace "With a stack trace (-k) under each syscall: lines starting with ' > '." -f -k -s 256 -o db/run2.f-k.trace
db_run db/run3.f-x-s128.trace trace "Non-ASCII strings in hex (-x), e.g. the database pages written." -f -x -s 128 -o db/run3.f-x-s128.trace

# --- runtime: node with a worker thread and a child process -------------------------------------

js=$work/runtime/workload.js
mkdir -p "$work/runtime"
cat >"$js" <<'JS'
'use strict';
// syscage sample workload: a worker thread hashes, the main thread runs a child process.
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

if (isMainThread) {
  const dir = process.argv[2];
  const worker = new Worker(__filename, { workerData: { seed: 'syscage', rounds: 50000 } });
  worker.on('message', async (digest) => {
    const echoed = execFileSync('/bin/echo', ['child says', digest.slice(0, 16)]).toString();
    const file = path.join(dir, 'result.txt');
    await fs.promises.writeFile(file, echoed);
    const back = await fs.promises.readFile(file, 'utf8');
    console.log(back.trim());
  });
  worker.on('exit', (code) => console.log('worker exited with', code));
} else {
  let h = Buffer.from(workerData.seed);
  for (let i = 0; i < workerData.rounds; i++) h = crypto.createHash('sha256').update(h).digest();
  parentPort.postMessage(h.toString('hex'));
}
JS

RT_DESC="node running a script that starts a worker_threads Worker (50k SHA-256 rounds, posts the digest back), then execFileSync('/bin/echo', ...) and an fs.promises write + read (libuv thread pool). Many threads: clone3, futex, epoll; a fork (clone) + execve of /bin/echo."
rt_run() { # rt_run FILE KIND DESC-EXTRA FORM STRACE-ARGS...
  local file=$1 kind=$2 extra=$3 form=$4
  shift 4
  local dir
  dir=$work/runtime/$(basename "${file%%.*}")
  mkdir -p "$dir"
  record "$file" "$kind" "$extra" /dev/null "$form" -- "$@" -- "$NODE" "$js" "$dir"
}
rt_run runtime/run1.f-ttt.trace trace "Epoch timestamps with microseconds (-ttt)." o -f -ttt -s 256 -o runtime/run1.f-ttt.trace
mkdir -p "$stage/runtime/run2-ff"
rt_run runtime/run2-ff trace "One file per thread/process (-ff -o runtime/run2-ff/trace): trace.TID, no pid prefixes." o -ff -s 256 -o runtime/run2-ff/trace
rt_run runtime/run3.f-cw.table table "Summary table only (-c) with wall-clock times (-w)." o -f -c -w -o runtime/run3.f-cw.table
rt_run runtime/run4.f-C.trace trace+table "The trace then the summary table (-C): futex and clone3 counts across threads." o -f -C -s 256 -o runtime/run4.f-C.trace

# --- shell: sh -c with a pipeline, command substitution, redirects and a failing command ---------

SH_SCRIPT='cd "$1" && printf "%s\n" pear apple fig apple pear kiwi apple | sort | uniq -c | sort -rn | head -n 3 > top.txt; n=$(wc -l < top.txt); echo "top: $n lines" > report.txt; ls -l /nonexistent top.txt || echo "ls failed: $?" >> report.txt; cat report.txt top.txt'
SH_DESC="sh (dash) -c running printf | sort | uniq -c | sort -rn | head > file, a command substitution \$(wc -l < file), redirects into a temp folder, and ls of a missing path (ENOENT, exit status 2). Forks (clone), pipe2, dup2, execve of several programs (after ENOENT probes along PATH), wait4."
sh_run() { # sh_run FILE KIND DESC-EXTRA FORM STRACE-ARGS...
  local file=$1 kind=$2 extra=$3 form=$4
  shift 4
  local dir
  dir=$work/shell/$(basename "${file%%.*}")
  mkdir -p "$dir"
  record "$file" "$kind" "$extra" /dev/null "$form" -- "$@" -- /bin/sh -c "$SH_SCRIPT" sh "$dir"
}
sh_run shell/run1.f-o.trace trace "Plain -f trace written with -o: every line starts with the pid." o -f -s 256 -o shell/run1.f-o.trace
sh_run shell/run2.f-stderr.trace trace "Written to stderr (no -o): '[pid N]' prefixes only while several processes live, 'strace: Process N attached' messages, and ls's own error message interleaved (even mid-line)." stderr -f -s 256
sh_run shell/run3.f-cw.table table "Summary table only (-c) with wall-clock times (-w)." o -f -c -w -o shell/run3.f-cw.table
sh_run shell/run4.f-i.trace trace "With the instruction pointer of each call (-i): '[00007f...]' after the pid." o -f -i -s 256 -o shell/run4.f-i.trace
mkdir -p "$stage/shell/run5-ff"
sh_run shell/run5-ff trace "One file per process (-ff -o shell/run5-ff/trace): trace.PID." o -ff -s 256 -o shell/run5-ff/trace

# --- checks ---------------------------------------------------------------------------------------

fail() { die "check failed: $*"; }

# The main process's last word: '+++ exited with N +++' (with -o -f the main pid is the first line's;
# in the stderr form it is the last line, unprefixed or '[pid N]'-prefixed).
ends_cleanly() { # ends_cleanly FILE FORM(o|stderr|single)
  awk -v form="$2" '
    function strip(s) { sub(/^[0-9]+ +/, "", s); sub(/^\[pid +[0-9]+\] /, "", s); sub(/^[0-9:.]+ +/, "", s); return s }
    NR == 1 { main = $1 }
    /\+\+\+ exited with [0-9]+ \+\+\+$/ {
      if (form == "o" && $1 == main) ok = 1
      if (form != "o") last_exit = NR
    }
    { last = NR }
    END {
      if (form == "o") exit !ok
      exit !(last_exit == last)
    }' "$1"
}
has_table() { grep -Eq '^-+ -+ -+ -+ -+ -+ ?-*$' "$1" && grep -Eq '^100\.00 .* total$' "$1"; }
has() { grep -Eq -- "$2" "$1" || fail "$1: no line matches /$2/"; }
count() { grep -Ec -- "$2" "$1" || true; }

check_file() { # check_file FILE KIND FORM
  local f=$1 kind=$2 form=$3
  case $kind in
    table) has_table "$f" || fail "$f: no summary table" ;;
    trace) ends_cleanly "$f" "$form" || fail "$f: the main process has no '+++ exited with' line at the end" ;;
    trace+table)
      ends_cleanly <(sed '/^% time/,$d' "$f") "$form" || fail "$f: no '+++ exited with' before the table"
      has_table "$f" || fail "$f: no summary table after the trace" ;;
  esac
}

note "checking the traces"
for i in "${!REC_FILES[@]}"; do
  rel=${REC_FILES[$i]} kind=${REC_KINDS[$i]} f=$stage/${REC_FILES[$i]}
  form=o
  [[ ${REC_CMDS[$i]} == *" 2> "* ]] && form=stderr
  if [[ -d $f ]]; then
    n=$(find "$f" -type f | wc -l)
    ((n >= 2)) || fail "$rel: -ff wrote $n file(s)"
    # the main process: the lowest pid whose file starts with the program's execve
    main=$(for g in "$f"/*; do if head -n 1 "$g" | grep -q '^execve('; then echo "${g##*.} $g"; fi; done |
      sort -n | awk 'NR == 1 { print $2 }')
    [[ -n $main ]] || fail "$rel: no per-process file starts with execve"
    ends_cleanly "$main" single || fail "$main: does not end with '+++ exited with'"
    all=$(mktemp "$tmp/all.XXXXXX")
    cat "$f"/* >"$all"
  else
    [[ -s $f ]] || fail "$rel: empty"
    check_file "$f" "$kind" "$form"
    all=$f
  fi
  w=${rel%%/*}
  if [[ $kind == table ]]; then
    case $w in
      runtime) for s in clone3 futex execve; do has "$all" " $s\$"; done ;;
      shell) for s in pipe2 dup2 execve wait4; do has "$all" " $s\$"; done ;;
    esac
    continue
  fi
  case $w in
    web)
      for s in 'accept4\(' 'recvfrom\(' 'sendto\(' 'clone3\(' 'bind\(.*127\.0\.0\.1' '\+\+\+ exited with 0'; do has "$all" "$s"; done ;;
    db)
      for s in 'library\.db' 'library\.db-journal' 'fcntl\(.*F_SETLK' 'pwrite64\(' 'unlink\(.*-journal'; do has "$all" "$s"; done ;;
    runtime)
      (($(count "$all" 'clone3\(') >= 3)) || fail "$rel: fewer than 3 clone3 calls (threads)"
      (($(count "$all" 'futex\(') >= 10)) || fail "$rel: fewer than 10 futex calls"
      has "$all" 'execve\("/bin/echo"' ;;
    shell)
      has "$all" 'pipe2?\('
      has "$all" 'dup2\('
      for p in sort uniq head wc ls cat; do has "$all" "execve\\(\"/usr/bin/$p\""; done
      has "$all" 'ENOENT'
      has "$all" '"/nonexistent".* = -1 ENOENT' ;;
  esac
done

# --- compress, describe, install ---------------------------------------------------------------------

while IFS= read -r -d '' f; do
  if (($(stat -c %s "$f") > GZIP_OVER)); then gzip -9n "$f"; fi
done < <(find "$stage" -type f -print0)

# Whether a recorded file ended up gzipped (for README.md).
final_name() {
  if [[ -d $stage/$1 ]]; then printf '%s/' "$1"
  elif [[ -e $stage/$1.gz ]]; then printf '%s.gz' "$1"
  else printf '%s' "$1"; fi
}

{
  printf '# Sample strace recordings\n\n'
  printf 'Generated by `scripts/record-samples.sh`; do not edit by hand, re-run the script instead\n'
  printf '(it re-records everything; PIDs, ports, timestamps and addresses change every time).\n\n'
  printf -- '- strace: `%s` (optional features: `%s`), run as `%s`\n' "$STRACE_VERSION" "${STRACE_FEATURES:-none}" "$STRACE_RUN"
  printf -- '- kernel: `%s`, architecture `%s`\n' "$(uname -r)" "$(uname -m)"
  printf -- '- programs: `%s`, `sqlite3 %s`, `node %s`, `%s`, `%s`\n' \
    "$("$PY" -V 2>&1)" "$("$SQLITE" -version | cut -d' ' -f1)" "$("$NODE" --version)" \
    "$(dpkg-query -W -f='dash ${Version}' dash 2>/dev/null || echo dash)" "$("$CURL" -V | head -n 1 | cut -d' ' -f1-2)"
  printf -- '- every command ran in this folder (so `-o` paths are relative to it) with the environment\n'
  printf '  shown (`env -i ...`); `%s` was a scratch folder, deleted afterwards.\n' "$tmp"
  printf -- '- traces over %d KB are gzipped (`.gz`); `-ff` runs are folders holding `trace.PID` files.\n' $((GZIP_OVER / 1024))
  printf -- '- `.table` files hold only a `-c` summary table; `-C` traces end with one.\n\n'
  for w in "${WORKLOADS[@]}"; do
    case $w in
      web) desc=$WEB_DESC ;; db) desc=$DB_DESC ;; runtime) desc=$RT_DESC ;; shell) desc=$SH_DESC ;;
    esac
    printf '## `%s/`\n\n%s\n\n' "$w" "$desc"
    for i in "${!REC_FILES[@]}"; do
      [[ ${REC_FILES[$i]} == "$w/"* ]] || continue
      printf '### `%s`\n\n%s\n\n' "$(final_name "${REC_FILES[$i]}")" "${REC_DESCS[$i]}"
      if [[ -d $stage/${REC_FILES[$i]} ]]; then
        printf 'Files: %s\n\n' "$(cd "$stage/${REC_FILES[$i]}" && find . -type f -printf '%f\n' | sort -t. -k2n | sed 's/.*/`&`/' | paste -sd' ' | sed 's/` `/`, `/g')"
      fi
      printf '```sh\n%s\n```\n\n' "${REC_CMDS[$i]}"
    done
  done
  printf '## Workload sources\n\n'
  printf 'The web server'"'"'s folder: `hello.txt`, `index.html`, `docs/data.json`, `docs/big.txt` (20,000 `x`).\n\n'
  printf 'curl requests (each `curl --noproxy '"'*'"' -sS -o /dev/null -w '"'%%{http_code}'"' [-I] URL`, not traced):\n'
  printf '`GET /` 200, `GET /hello.txt` 200, `GET /docs/big.txt` 200, `GET /missing.html` 404, `HEAD /docs/data.json` 200, `GET /docs` 301; then `kill -INT` the server.\n\n'
  printf '`workload.sql` (the db runs'"'"' stdin):\n\n```sql\n%s\n```\n\n' "$(cat "$sql")"
  printf '`workload.js` (the runtime runs):\n\n```js\n%s\n```\n\n' "$(cat "$js")"
  printf 'The shell runs'"'"' script (`sh -c SCRIPT sh DIR`):\n\n```sh\n%s\n```\n' "$SH_SCRIPT"
} >"$stage/README.md"

mkdir -p "$out"
for w in "${WORKLOADS[@]}"; do rm -rf -- "${out:?}/$w"; done
rm -f -- "$out/README.md"
for w in "${WORKLOADS[@]}"; do mv -- "$stage/$w" "$out/$w"; done
mv -- "$stage/README.md" "$out/README.md"
for f in "$out"/*; do
  b=$(basename "$f")
  [[ " ${WORKLOADS[*]} README.md " == *" $b "* ]] || note "note: $f is not written by this script (left in place)"
done

note "wrote:"
(cd "$out" && find "${WORKLOADS[@]}" README.md -type f -printf '%s\t%p\n' | sort -k2 |
  awk -F'\t' '{ printf "  %8d  %s\n", $1, $2; total += $1 } END { printf "  %8d  total\n", total }') >&2
printf '%s\n' "$out"
