"""SMTP server for stripehook's notify tests: aiosmtpd (Debian python3-aiosmtpd) saving each
message it accepts as <n>.eml in a folder.

usage: python3 smtp_sink.py --dir DIR --port-file FILE [--port N] [--tls-cert PEM --tls-key PEM]
Listens on 127.0.0.1 (port 0 unless --port); writes the bound port to --port-file. With a
certificate it offers STARTTLS and refuses mail before it (require_starttls).
"""
import argparse
import asyncio
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP


class SaveToFolder:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        count = len([f for f in os.listdir(self.folder) if f.endswith(".eml")])
        tmp = os.path.join(self.folder, "%06d.tmp" % (count + 1))
        with open(tmp, "wb") as out:
            out.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            out.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.folder, "%06d.eml" % (count + 1)))
        return "250 Message accepted"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    tls = {}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        tls = {"tls_context": context, "require_starttls": True}
    os.makedirs(args.dir, exist_ok=True)
    loop = asyncio.get_running_loop()
    handler = SaveToFolder(args.dir)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", **tls), "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
