#!/usr/bin/env python3
"""The seed's way of serving, for comparison only: the same emotion model in PyTorch eager mode behind a
Python HTTP server (the Flask prototype ran Keras eagerly behind Flask; this uses Debian's torch and the
standard library's threading HTTP server, which is lighter than Flask, so the comparison favours it).

It does the same work per image as emotion-service: decode the PNG, grayscale, scale to the model's input,
normalise by model.json's mean/std, run the network on the image and its mirror (the flip TTA that
emotion-service's ONNX graph carries), softmax.

  POST /predict         body: one PNG                                  -> {"emotion": ..., "probabilities": [...]}
  POST /predict/batch   body: PNGs, each preceded by its length (4 bytes, big-endian) -> a JSON list

  bench/pytorch_server.py --port 18090 [--threads 2]
"""
import argparse
import json
import os
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch
import torch.nn.functional as F
from torchvision.io import ImageReadMode, decode_png

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "models", "training"))
from fertrain.checkpoint import load_model  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--checkpoint", default=os.path.join(ROOT, "models/training/checkpoints/effnetb3-fer2013-48.pt"))
    parser.add_argument("--manifest", default=os.path.join(ROOT, "models/effnetb3-fer2013/model.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, _, _ = load_model(args.checkpoint)
    manifest = json.load(open(args.manifest))
    size = manifest["input"]["height"]
    mean, std = manifest["input"]["mean"][0], manifest["input"]["std"][0]
    labels = manifest["labels"]
    lock = torch.no_grad()

    def predict(pngs):
        images = []
        for png in pngs:
            pixels = decode_png(torch.frombuffer(bytearray(png), dtype=torch.uint8), ImageReadMode.GRAY)
            x = pixels.float().unsqueeze(0) / 255.0
            if x.shape[-1] != size or x.shape[-2] != size:
                x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
            images.append(((x - mean) / std)[0])
        batch = torch.stack(images)
        with lock:
            logits = (model(batch) + model(torch.flip(batch, dims=[3]))) * 0.5
            probs = torch.softmax(logits, dim=1)
        return [{"emotion": labels[int(p.argmax())], "probabilities": [round(float(v), 5) for v in p]} for p in probs]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/predict":
                answer = predict([body])[0]
            else:
                pngs, i = [], 0
                while i < len(body):
                    (n,) = struct.unpack(">I", body[i:i + 4])
                    pngs.append(body[i + 4:i + 4 + n])
                    i += 4 + n
                answer = predict(pngs)
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    print(f"PyTorch {torch.__version__} eager, {args.threads} threads, listening on {args.port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
