/**
 * Reads a request body as text, refusing more than `limit` bytes. The limit is enforced while reading the
 * stream, because Content-Length may be absent (chunked) or lie.
 *
 * Bytes that are not UTF-8 are refused as `invalid_json`, here, before JSON.parse: JSON text exchanged between
 * systems MUST be UTF-8 (RFC 8259 §8.1), and a lenient decoder would turn each bad byte into U+FFFD, so two
 * different call_ids would become one and the second call would answer `duplicate` unbilled. Only the reader
 * sees the bytes, and it cannot tell which field they belong to: hence `invalid_json`, not `invalid_request`.
 */
import { AppError } from '../errors.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;

export async function readBodyLimited(request: Request, limit: number = BODY_LIMIT_BYTES): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError(
      'invalid_json',
      'The request body is not valid UTF-8; JSON must be sent as UTF-8 (RFC 8259 §8.1).',
    );
  }
}

function tooLarge(limit: number): AppError {
  return new AppError('payload_too_large', `The request body is larger than ${limit / 1024} KiB.`);
}

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
}
