import type { AttributeValue, Attributes, ExportedPoint, ExportedSpan } from './otlp-data.js';

// OTLP/protobuf, read with the wire format alone and the field numbers of the OTLP .proto files
// (opentelemetry/proto/{metrics,trace,common,resource}/v1): enough to check what was sent.
type Field = { wire: number; varint?: bigint; bytes?: Buffer };

function readMessage(buffer: Buffer): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const [number, wire] = [key >>> 3, key & 7];
    let field: Field;
    if (wire === 0) field = { wire, varint: varint() };
    else if (wire === 1) field = { wire, bytes: buffer.subarray(offset, (offset += 8)) };
    else if (wire === 5) field = { wire, bytes: buffer.subarray(offset, (offset += 4)) };
    else if (wire === 2) {
      const length = Number(varint());
      field = { wire, bytes: buffer.subarray(offset, (offset += length)) };
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    fields.set(number, [...(fields.get(number) ?? []), field]);
  }
  return fields;
}

const messages = (fields: Map<number, Field[]>, n: number) => (fields.get(n) ?? []).map((f) => readMessage(f.bytes!));
const text = (fields: Map<number, Field[]>, n: number) => fields.get(n)?.[0]?.bytes?.toString('utf8') ?? '';

function protoAttributes(list: Map<number, Field[]>[]): Attributes {
  return Object.fromEntries(
    list.map((kv) => {
      const value = messages(kv, 2)[0] ?? new Map<number, Field[]>();
      const field = (n: number) => value.get(n)?.[0];
      // string_value 1, bool_value 2, int_value 3, double_value 4; arrays and maps (5, 6) are
      // kept as their presence only: no attribute the tests read is one.
      const v: AttributeValue =
        field(1) !== undefined
          ? text(value, 1)
          : field(2) !== undefined
            ? field(2)!.varint === 1n
            : field(3) !== undefined
              ? Number(BigInt.asIntN(64, field(3)!.varint!))
              : field(4) !== undefined
                ? field(4)!.bytes!.readDoubleLE(0)
                : '[composite]';
      return [text(kv, 1), v];
    }),
  );
}

export function pointsFromProtobuf(body: Buffer): ExportedPoint[] {
  const points: ExportedPoint[] = [];
  for (const rm of messages(readMessage(body), 1)) {
    const resource = protoAttributes(messages(messages(rm, 1)[0] ?? new Map(), 1));
    for (const metric of messages(rm, 2).flatMap((sm) => messages(sm, 2))) {
      const base = { metric: text(metric, 1), unit: text(metric, 3), resource };
      for (const [type, n] of [
        ['gauge', 5],
        ['sum', 7],
      ] as const) {
        for (const p of messages(metric, n).flatMap((data) => messages(data, 1))) {
          const double = p.get(4)?.[0]?.bytes;
          const int = p.get(6)?.[0]?.bytes;
          const value = double ? double.readDoubleLE(0) : int ? Number(int.readBigInt64LE(0)) : 0;
          points.push({ ...base, type, attributes: protoAttributes(messages(p, 7)), value });
        }
      }
      for (const p of messages(metric, 9).flatMap((data) => messages(data, 1))) {
        points.push({
          ...base,
          type: 'histogram',
          attributes: protoAttributes(messages(p, 9)),
          count: Number(p.get(4)![0]!.bytes!.readBigUInt64LE(0)),
          sum: p.get(5)?.[0]?.bytes?.readDoubleLE(0) ?? 0,
        });
      }
    }
  }
  return points;
}

export function spansFromProtobuf(body: Buffer): ExportedSpan[] {
  return messages(readMessage(body), 1).flatMap((rs) => {
    const resource = protoAttributes(messages(messages(rs, 1)[0] ?? new Map(), 1));
    return messages(rs, 2)
      .flatMap((ss) => messages(ss, 2))
      .map((span) => ({
        name: text(span, 5),
        attributes: protoAttributes(messages(span, 9)),
        links: (span.get(13) ?? []).length,
        resource,
      }));
  });
}
