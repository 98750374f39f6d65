/**
 * Just enough of RESP, the Redis protocol, to find where one command or reply ends in a byte stream and which
 * command a request is: what a router that forwards requests unchanged needs. Values are not decoded.
 */

const CRLF = 0x0d;

/** The end (exclusive) of the line starting at `start`, past its CRLF; -1 if it is not all there yet. */
function lineEnd(buf: Buffer, start: number): number {
  const cr = buf.indexOf(CRLF, start);
  return cr < 0 || cr + 1 >= buf.length ? -1 : cr + 2;
}

/** The length field of a line such as `*3` or `$5`. */
function lengthField(buf: Buffer, start: number, end: number): number {
  return Number(buf.toString('latin1', start + 1, end - 2));
}

/**
 * The end (exclusive) of the RESP value starting at `start`, or -1 when the buffer does not hold all of it yet.
 * RESP2's types and RESP3's (a server answers RESP3 only to a client that asked with HELLO 3).
 */
export function valueEnd(buf: Buffer, start: number): number {
  if (start >= buf.length) return -1;
  const end = lineEnd(buf, start);
  if (end < 0) return -1;
  switch (String.fromCharCode(buf[start])) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return end;
    case '$':
    case '!':
    case '=': {
      const n = lengthField(buf, start, end);
      if (n < 0) return end;
      return end + n + 2 <= buf.length ? end + n + 2 : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      let n = lengthField(buf, start, end);
      if (n < 0) return end;
      if (buf[start] === 0x25) n *= 2; // a map: keys and values
      let at = end;
      for (let i = 0; i < n; i++) {
        at = valueEnd(buf, at);
        if (at < 0) return -1;
      }
      return at;
    }
    default:
      // An inline command (`PING\r\n`, as typed into a terminal): the line is the whole of it.
      return end;
  }
}

/** The command (upper-cased) of the request `buf[start, end)`: the first element of its array, or an inline command's first word. */
export function commandName(buf: Buffer, start: number, end: number): string {
  if (buf[start] === 0x2a) {
    const header = lineEnd(buf, start);
    const bulk = lineEnd(buf, header);
    if (header < 0 || bulk < 0 || bulk > end) return '';
    const n = lengthField(buf, header, bulk);
    return buf.toString('latin1', bulk, bulk + n).toUpperCase();
  }
  return buf.toString('latin1', start, end).trim().split(/\s+/)[0].toUpperCase();
}
