import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBinaryTensor, encodeBinaryTensor, splitBinaryBody } from '../../src/serving/oip-binary.js';
import { decodeInferRequest, encodeInferResponse } from '../../src/serving/oip-codec.js';
import { toHalf } from '../../src/serving/tensor.js';

describe('decodeInferRequest', () => {
  it('reads id, parameters, inputs and requested outputs', () => {
    const d = decodeInferRequest({
      id: 'a',
      parameters: { binary_data_output: true },
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }],
      outputs: [{ name: 'y' }, { name: 'z', parameters: { binary_data: false } }],
    });
    assert.deepEqual(d.request, {
      id: 'a',
      parameters: { binary_data_output: true },
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }],
      outputs: ['y', 'z'],
    });
    assert.equal(d.binaryOutput('y'), true);
    assert.equal(d.binaryOutput('z'), false);
  });

  it('takes binary inputs from the bytes after the JSON, in order', () => {
    const a = Buffer.from(new Int32Array([1, -2]).buffer);
    const b = Buffer.from([1, 0, 1]);
    const d = decodeInferRequest(
      {
        inputs: [
          { name: 'a', datatype: 'INT32', shape: [2], parameters: { binary_data_size: 8 } },
          { name: 'b', datatype: 'BOOL', shape: [3], parameters: { binary_data_size: 3 } },
        ],
      },
      Buffer.concat([a, b]),
    );
    assert.deepEqual([...(d.request.inputs[0]!.data as Int32Array)], [1, -2]);
    assert.deepEqual([...(d.request.inputs[1]!.data as Uint8Array)], [1, 0, 1]);
  });

  it('refuses malformed structure and binary sizes that do not add up', () => {
    assert.throws(() => decodeInferRequest({ inputs: 'x' }), /needs "inputs", a list/);
    assert.throws(() => decodeInferRequest({ inputs: [], parameters: [1] }), /"parameters" must be an object/);
    assert.throws(() => decodeInferRequest({ inputs: [], outputs: [{}] }), /outputs\[0\] must be an object with a string "name"/);
    const one = { inputs: [{ name: 'a', datatype: 'INT32', shape: [1], parameters: { binary_data_size: 4 } }] };
    assert.throws(() => decodeInferRequest(one), /the request has none/);
    assert.throws(() => decodeInferRequest(one, Buffer.alloc(6)), /2 bytes of binary data that no input's binary_data_size accounts for/);
    assert.throws(() => decodeInferRequest({ inputs: [{ name: 'a', datatype: 'INT32', shape: [1], parameters: { binary_data_size: 3 } }] }, Buffer.alloc(3)), /not a whole number of INT32/);
  });
});

describe('encodeInferResponse', () => {
  const result = {
    modelName: 'm',
    modelVersion: '2',
    id: 'r',
    outputs: [
      { name: 'f', datatype: 'FP32' as const, shape: [3], data: new Float32Array([0.5, NaN, 2]) },
      { name: 'i', datatype: 'INT64' as const, shape: [2], data: new BigInt64Array([2n ** 60n, -1n]) },
      { name: 'b', datatype: 'BOOL' as const, shape: [2], data: new Uint8Array([1, 0]) },
      { name: 'h', datatype: 'FP16' as const, shape: [1], data: new Uint16Array([toHalf(1.5)]) },
      { name: 's', datatype: 'BYTES' as const, shape: [1], data: ['é"'] },
    ],
  };

  it('writes JSON with exact 64-bit integers, booleans, and null for non-finite floats', () => {
    const { body, headerLength } = encodeInferResponse(result, () => false);
    assert.equal(headerLength, undefined);
    assert.equal(
      body,
      '{"model_name":"m","model_version":"2","id":"r","outputs":[' +
        '{"name":"f","datatype":"FP32","shape":[3],"data":[0.5,null,2]},' +
        '{"name":"i","datatype":"INT64","shape":[2],"data":[1152921504606846976,-1]},' +
        '{"name":"b","datatype":"BOOL","shape":[2],"data":[true,false]},' +
        '{"name":"h","datatype":"FP16","shape":[1],"data":[1.5]},' +
        '{"name":"s","datatype":"BYTES","shape":[1],"data":["é\\""]}]}',
    );
  });

  it('puts outputs asked for as binary after the JSON header', () => {
    const { body, headerLength } = encodeInferResponse(result, (n) => n === 'i' || n === 's');
    const { json, binary } = splitBinaryBody(body as Buffer, String(headerLength));
    const header = JSON.parse(json);
    assert.deepEqual(header.outputs[1], { name: 'i', datatype: 'INT64', shape: [2], parameters: { binary_data_size: 16 } });
    assert.deepEqual(header.outputs[4].parameters, { binary_data_size: 4 + 3 });
    assert.deepEqual([...(decodeBinaryTensor('i', 'INT64', binary.subarray(0, 16)) as BigInt64Array)], [2n ** 60n, -1n]);
    assert.deepEqual(decodeBinaryTensor('s', 'BYTES', binary.subarray(16)), ['é"']);
    assert.deepEqual(encodeBinaryTensor(['a', '']), Buffer.from([1, 0, 0, 0, 0x61, 0, 0, 0, 0]));
  });
});
