# Test helper: a console socket as conmon and containerd serve one. Listens on
# argv[1], takes one pty master (SCM_RIGHTS), prints the name sent with it on
# the first line, then everything read from the master until the pty closes.
import os, socket, sys

server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(1)
print("listening", flush=True)
conn, _ = server.accept()
name, fds, _, _ = socket.recv_fds(conn, 64, 1)
master = fds[0]
out = [name.decode()]
data = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:  # EIO: every slave fd is closed
        break
    if not chunk:
        break
    data += chunk
out.append(data.decode(errors="replace"))
sys.stdout.write("\n".join(out))
