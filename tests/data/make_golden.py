#!/usr/bin/python3
"""Writes the golden safetensors files the C++ reader is tested against.

An independent writer: Python's struct and json only (not gradflow's writer, not
the safetensors package), with choices gradflow's writer does not make, so the
reader is tested on more than its own output: tensors stored out of name order,
a space-padded header, F16/BF16/I32 dtypes. Run from anywhere:

    /usr/bin/python3 tests/data/make_golden.py

The values are spelled out in tests/model_io_test.cpp (Golden* tests).
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def f16(values):
    return struct.pack("<%de" % len(values), *values)


def bf16(values):
    # bfloat16 = top 16 bits of the float32 (values chosen exactly representable).
    out = b""
    for v in values:
        (bits,) = struct.unpack("<I", struct.pack("<f", v))
        assert bits & 0xFFFF == 0, v
        out += struct.pack("<H", bits >> 16)
    return out


def write(name, tensors, metadata):
    """tensors: list of (name, dtype, shape, bytes), stored in this order."""
    header, data = {}, b""
    for tname, dtype, shape, raw in tensors:
        header[tname] = {"dtype": dtype, "shape": shape,
                         "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = metadata
    text = json.dumps(header).encode("utf-8")
    text += b" " * 5  # space padding, leaving the data unaligned: the reader must not care
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


# golden_f64: relu, 2 hidden layers of width 3, input_dim 2, batch 2, probe loss.
# Weights row-major (fan_out, fan_in) as torch's nn.Linear.weight.
write("golden_f64.safetensors", [
    ("x", "F64", [2, 2], struct.pack("<4d", 1, 2, -1, 0.5)),
    ("layers.2.weight", "F64", [3, 3], struct.pack("<9d", 1, 0, -1, 0.5, 2, 0, 0, -1, 1)),
    ("layers.1.weight", "F64", [3, 2], struct.pack("<6d", 1, -2, 3, 4, -5, 6)),
    ("probe", "F64", [2, 3], struct.pack("<6d", 1, -1, 2, 0.5, 0, -2)),
    ("layers.1.bias", "F64", [3], struct.pack("<3d", 0.5, 0, -1)),
    ("layers.2.bias", "F64", [3], struct.pack("<3d", 0, 1, -0.5)),
], {"activation": "relu", "loss": "probe", "written_by": "tests/data/make_golden.py"})

# golden_mixed: tanh, 1 hidden layer (width 2) + a linear head of 3 classes,
# input_dim 2, batch 2, cross_entropy: F32 weights, F16 biases, BF16 x, I32 labels.
write("golden_mixed.safetensors", [
    ("layers.1.weight", "F32", [2, 2], struct.pack("<4f", 0.25, -0.5, 1.5, 2)),
    ("layers.1.bias", "F16", [2], f16([0.5, -0.125])),
    ("layers.2.weight", "F32", [3, 2], struct.pack("<6f", 1, 0, 0, 1, -1, -1)),
    ("layers.2.bias", "F16", [3], f16([0, 0.25, -2])),
    ("x", "BF16", [2, 2], bf16([1.5, -0.75, 2, 0.125])),
    ("labels", "I32", [2], struct.pack("<2i", 2, 0)),
], {"activation": "tanh", "loss": "cross_entropy"})
