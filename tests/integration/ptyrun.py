# ptyrun.py INPUT ARGV...: run ARGV on a pseudo-terminal (so that its
# stdin is a tty, as a person's is), type INPUT into it, print what it
# showed and exit with its exit status.
import os, pty, sys, time
inp = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
time.sleep(0.3)
os.write(fd, inp)
out = b""
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))
