# reckon serve under clients that misbehave: slow senders (slowloris), too
# many connections from one address, more work than it takes at once, and
# requests the HTTP library lets through that HTTP does not (a NUL or a
# control byte in the target, two Host headers, a target too long), plus
# 405's Allow header and the bind failure message. Uses serve.sh's
# helpers; every socket is on loopback, bounded in count and time. These
# are about HTTP, not the database: SQLite only.

BACKENDS_serve_slow_clients=sqlite
BACKENDS_serve_request_timeout=sqlite
BACKENDS_serve_max_per_client=sqlite
BACKENDS_serve_work_limit=sqlite
BACKENDS_serve_work_queue=sqlite
BACKENDS_serve_protocol_errors=sqlite
BACKENDS_serve_bind_failure=sqlite

# raw DATA: send the bytes (printf escapes) on one connection to $URL's
# port and read the answer into $T/resp; sets OUT to its body, HEAD to its
# status line and headers
raw() {
	python3 - "${URL##*:}" "$1" >"$T/resp" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1].strip("/"))), timeout=10)
s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.buffer.write(out)
PY
	HEAD=$(sed '/^\r$/q' "$T/resp")
	OUT=$(sed '1,/^\r$/d' "$T/resp")
}
expect_raw() {
	if grep -q "^HTTP/1.1 $1 " <<<"$HEAD"; then pass; else
		fail "expected HTTP $1, got: $(head -c 300 "$T/resp")"
	fi
	grep -qi '^Content-Type: application/json' <<<"$HEAD" ||
		fail "not a JSON answer: $HEAD"
	jqe '.ok == false and (.error.message | length > 0)'
}

# 600 sockets from 127.0.0.2 trickle a header line a second for 20 s;
# meanwhile a client on 127.0.0.1 asks for the status five times a second
# and must get every answer within 1 s.
test_serve_slow_clients() {
	two_files
	serve_start
	python3 - "${URL##*:}" >"$T/figures" 2>&1 <<'PY'
import socket, sys, time, threading
port = int(sys.argv[1].strip("/"))
N, SECS = 600, 20
socks, refused = [], 0
t0 = time.time()
for i in range(N):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /api/migrations/idempotent/status HTTP/1.1\r\n")
        s.setblocking(False)
        socks.append(s)
    except OSError:
        refused += 1
        s.close()
lat, errors, stop = [], [], False
def normal():
    while not stop:
        a = time.time()
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=1,
                                         source_address=("127.0.0.1", 0))
            c.sendall(b"GET /api/migrations/idempotent/status HTTP/1.1\r\n"
                      b"Host: localhost\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                b = c.recv(65536)
                if not b:
                    break
                data += b
            c.close()
            if not data.startswith(b"HTTP/1.1 200"):
                errors.append(data[:40])
            lat.append(time.time() - a)
        except OSError as e:
            errors.append(str(e))
        time.sleep(0.2)
th = threading.Thread(target=normal)
th.start()
cut_early = cut_late = 0
for sec in range(SECS):
    for s in socks:
        if s.fileno() < 0:
            continue
        try:
            s.send(b"X-Slow-%d: %d\r\n" % (sec, sec))
        except OSError:
            if time.time() - t0 < 5:
                cut_early += 1
            else:
                cut_late += 1
            s.close()
    time.sleep(1)
stop = True
th.join()
alive = sum(1 for s in socks if s.fileno() >= 0)
print("slow sockets: %d opened, %d refused at connect, %d closed at once "
      "(cap per client), %d closed later (request deadline), %d still open "
      "after %d s" % (len(socks), refused, cut_early, cut_late, alive, SECS))
print("normal client: %d answered, %d failed, max latency %.3f s"
      % (len(lat) - len(errors), len(errors), max(lat) if lat else -1))
for e in errors[:5]:
    print("  failure:", e)
ok = lat and not errors and max(lat) < 1.0 and len(lat) >= 5 * SECS // 2
sys.exit(0 if ok else 1)
PY
	local rc=$?
	sed 's/^/  /' "$T/figures"
	check "every status answered within 1 s beside 600 slow clients" test "$rc" = 0
	grep -q 'closed [0-9]* connection(s) with no complete request' "$T/serve.log" ||
		fail "the watchdog closed no slow connection: $(tail -5 "$T/serve.log")"
	serve_stop
}

# A request trickled past --request-timeout gets a 408 JSON error and the
# connection closed; so does a connection that sends nothing (idle), but
# without an answer; a prompt client is not bothered.
test_serve_request_timeout() {
	two_files
	serve_start --request-timeout 1s
	python3 - "${URL##*:}" >"$T/resp" <<'PY'
import socket, sys, time
port = int(sys.argv[1].strip("/"))
s = socket.create_connection(("127.0.0.1", port), timeout=10)
idle = socket.create_connection(("127.0.0.1", port), timeout=10)
t = time.time()
s.sendall(b"GET /api/migrations/idempotent/status HTTP/1.1\r\n")
out = b""
for i in range(20):
    try:
        s.sendall(b"X-A: b\r\n")
    except OSError:
        break
    s.settimeout(0.25)
    try:
        b = s.recv(65536)
        if not b:
            break
        out += b
    except socket.timeout:
        pass
idle.settimeout(5)
if time.time() - t > 5 or idle.recv(100) != b"":
    sys.exit("not cut in time, or the idle connection got an answer")
sys.stdout.buffer.write(out)
PY
	HEAD=$(sed '/^\r$/q' "$T/resp")
	OUT=$(sed '1,/^\r$/d' "$T/resp")
	expect_raw 408
	jqe '.error.message | test("no complete request within 1000ms")'
	hc GET $API/idempotent/status
	expect_code 200
	serve_stop
	RECKON_TOKEN=$SERVE_TOKEN serve_refused --request-timeout 0
	grep -q "request-timeout: invalid duration '0'" <<<"$ERR" || fail "message: $ERR"
	RECKON_TOKEN=$SERVE_TOKEN serve_refused --request-timeout soon
	grep -q "request-timeout: invalid duration 'soon'" <<<"$ERR" || fail "message: $ERR"
}

# --max-per-client 2: a third connection from the same address is closed,
# and once one closes, a new one is served.
test_serve_max_per_client() {
	two_files
	serve_start --max-per-client 2
	python3 - "${URL##*:}" <<'PY' >"$T/out" 2>&1
import socket, sys, time
port = int(sys.argv[1].strip("/"))
req = (b"GET /api/migrations/idempotent/status HTTP/1.1\r\n"
       b"Host: localhost\r\nConnection: close\r\n\r\n")
def ask():
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        c.sendall(req)
        return c.recv(20)
    except OSError:
        return b""
    finally:
        c.close()
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
time.sleep(0.3)
third = ask()
held[0].close()
time.sleep(0.3)
after = ask()
print(third, after)
sys.exit(0 if third == b"" and after.startswith(b"HTTP/1.1 200") else 1)
PY
	check "a third connection refused, then served: $(cat "$T/out")" test $? = 0
	serve_stop
	RECKON_TOKEN=$SERVE_TOKEN serve_refused --max-per-client many
}

# More API requests at once than the server takes: 32 are at work, the
# rest wait for a place up to 2 s, and those still waiting then answer 503
# with Retry-After and a JSON error; the server stays up.
test_serve_work_limit() {
	two_files
	RECKON_TOKEN=$SERVE_TOKEN serve_start --max-per-client 0
	# hold the database's write lock so that every run waits
	python3 - "$SQLITE_FILE" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
time.sleep(4)
c.execute("ROLLBACK")
PY
	local holder=$! i pids=()
	sleep 0.5
	for i in $(seq 40); do
		curl -s --max-time 60 -D "$T/h$i" -o "$T/run$i" -w '%{http_code}' \
			-X POST -H "Authorization: Bearer $SERVE_TOKEN" \
			-H 'Content-Type: application/json' -d '{}' \
			"$URL$API/idempotent/run" >"$T/code$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	wait "$holder"
	local busy=0
	for i in $(seq 40); do
		[ "$(cat "$T/code$i")" = 503 ] || continue
		busy=$((busy + 1))
		grep -qi '^Retry-After: 1' "$T/h$i" || fail "503 without Retry-After"
		OUT=$(cat "$T/run$i")
		jqe '.ok == false and (.error.message | test("busy"))'
	done
	check "some of 40 runs at once answered 503 ($busy)" test "$busy" -ge 1
	check "the rest answered" test "$(grep -c '^000' "$T"/code* | grep -vc ':0$')" = 0
	hc GET $API/idempotent/status
	expect_code 200
	serve_stop
}

# A burst of more requests than the server works on at once, shorter than
# the queue's 2 s: the ones beyond the 32 wait and all answer 200.
test_serve_work_queue() {
	two_files
	RECKON_TOKEN=$SERVE_TOKEN serve_start --max-per-client 0
	# every run waits for the write lock, for less than the queue's wait
	python3 - "$SQLITE_FILE" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
time.sleep(1.2)
c.execute("ROLLBACK")
PY
	local holder=$! i pids=()
	sleep 0.4
	for i in $(seq 40); do
		curl -s --max-time 60 -o "$T/run$i" -w '%{http_code}' \
			-X POST -H "Authorization: Bearer $SERVE_TOKEN" \
			-H 'Content-Type: application/json' -d '{}' \
			"$URL$API/idempotent/run" >"$T/code$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	wait "$holder"
	local ok=0
	for i in $(seq 40); do
		[ "$(cat "$T/code$i")" = 200 ] && ok=$((ok + 1))
	done
	check "40 runs at once, 8 of them queued, all answered 200 ($ok)" test "$ok" = 40
	serve_stop
}

test_serve_protocol_errors() {
	two_files
	serve_start
	raw 'GET /api/migrations/preview/001_users.sql\0.x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
	expect_raw 400
	jqe '.error.message | test("NUL")'
	raw 'GET /api/migrations/preview/001\x01users.sql HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
	expect_raw 400
	jqe '.error.message | test("control byte 0x01")'
	raw 'GET /api/migrations/idempotent/status HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n'
	expect_raw 400
	jqe '.error.message | test("2 Host headers")'
	hc GET "/$(head -c 5000 /dev/zero | tr '\0' a)"
	expect_json_error 414
	hc PUT $API/idempotent/status -D "$T/h"
	expect_json_error 405
	grep -qi '^Allow: GET, HEAD' "$T/h" || fail "405 without Allow: $(cat "$T/h")"
	hc GET $API/idempotent/run -D "$T/h"
	expect_json_error 405
	grep -qi '^Allow: POST' "$T/h" || fail "405 without Allow: $(cat "$T/h")"
	hc DELETE / -D "$T/h"
	expect_json_error 405
	grep -qi '^Allow: GET, HEAD' "$T/h" || fail "405 without Allow: $(cat "$T/h")"
	# a query string is still fine
	hc GET "$API/preview/001_users.sql?x=1&y=2"
	expect_code 200
	serve_stop
}

# The port in use: the message names the address and port asked for and
# the reason.
test_serve_bind_failure() {
	two_files
	serve_start
	local taken=${URL#http://}
	taken=${taken%/}
	serve_refused --listen "$taken"
	grep -qF "cannot listen on '$taken': Address already in use" <<<"$ERR" ||
		fail "bind message: $ERR"
	if grep -qi 'bind to port 0' <<<"$ERR"; then fail "names port 0: $ERR"; fi
	serve_stop
}
