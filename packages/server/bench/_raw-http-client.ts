// A lean HTTP/1.1 load generator for the server benchmarks, in the manner of wrk and autocannon:
// one keep-alive `net.Socket` per lane, requests written as prepared strings, and a response
// parser that reads only the status line, the framing headers (content-length, transfer-encoding,
// connection) and the few headers a caller keeps (mcp-session-id, content-type), then the body:
// by length, chunked, or until the server closes. No pipelining: one request in flight per lane.
//
// Both columns of every benchmark use it, so its cost (a few µs per call, against tens for
// `node:http`'s client) is the same on each side and no longer hides the servers' difference.
// `_raw-http-client.test.ts` checks it against a real `node:http` server, every split of a read.
import { connect, type Socket } from 'node:net'

/** One HTTP response, read whole. */
export interface RawResponse {
  status: number
  /** The kept headers (lower-case names): `mcp-session-id` and `content-type` when present. */
  headers: Record<string, string>
  /** The body, decoded as UTF-8 (chunked framing removed). */
  body: string
  /** The server said `Connection: close` (or ended the body by closing). */
  close: boolean
}

const KEPT_HEADERS = new Set(['mcp-session-id', 'content-type'])
const CRLF = Buffer.from('\r\n')
const HEAD_END = Buffer.from('\r\n\r\n')
/** A bound on the status line and headers, and on one chunk-size line: a broken peer fails fast. */
const MAX_HEAD_BYTES = 64 * 1024

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'eof'

/**
 * Incremental parser of HTTP/1.1 responses: feed it the bytes of a connection in any pieces;
 * {@link push} returns the response once its last byte arrived. Throws `SyntaxError` on a malformed
 * response and on bytes after a response (nothing was asked for them).
 *
 * @example
 * const parser = new ResponseParser()
 * socket.on('data', (chunk) => {
 *   const response = parser.push(chunk)
 *   if (response !== undefined) console.log(response.status, response.body)
 * })
 */
export class ResponseParser {
  #state: State = 'head'
  /** Bytes of an unfinished status line, header block or chunk-size line. */
  #pending: Buffer | undefined
  #status = 0
  #headers: Record<string, string> = {}
  #close = false
  #remaining = 0
  #body: Buffer[] = []
  #complete: RawResponse | undefined

  /** Whether a response has begun but not ended. */
  get busy(): boolean {
    return this.#state !== 'head' || this.#pending !== undefined
  }

  /** Feeds bytes; returns the response they complete, if any. */
  push(chunk: Buffer): RawResponse | undefined {
    if (this.#complete !== undefined) throw new SyntaxError('Bytes after the response')
    let data = chunk
    let at = 0
    while (at < data.length) {
      switch (this.#state) {
        case 'head': {
          if (this.#pending !== undefined) {
            data = Buffer.concat([this.#pending, data.subarray(at)])
            at = 0
            this.#pending = undefined
          }
          const end = data.indexOf(HEAD_END, at)
          if (end === -1) {
            this.#keep(data, at)
            return undefined
          }
          this.#head(data.toString('latin1', at, end))
          at = end + 4
          break
        }
        case 'length': {
          const take = Math.min(this.#remaining, data.length - at)
          this.#body.push(data.subarray(at, at + take))
          at += take
          this.#remaining -= take
          if (this.#remaining === 0) this.#finish()
          break
        }
        case 'chunk-size':
        case 'chunk-end':
        case 'trailers': {
          if (this.#pending !== undefined) {
            data = Buffer.concat([this.#pending, data.subarray(at)])
            at = 0
            this.#pending = undefined
          }
          const end = data.indexOf(CRLF, at)
          if (end === -1) {
            this.#keep(data, at)
            return undefined
          }
          const line = data.toString('latin1', at, end)
          at = end + 2
          this.#line(line)
          break
        }
        case 'chunk-data': {
          const take = Math.min(this.#remaining, data.length - at)
          this.#body.push(data.subarray(at, at + take))
          at += take
          this.#remaining -= take
          if (this.#remaining === 0) this.#state = 'chunk-end'
          break
        }
        case 'eof': {
          this.#body.push(data.subarray(at))
          at = data.length
          break
        }
      }
      if (this.#complete !== undefined && at < data.length) {
        throw new SyntaxError('Bytes after the response')
      }
    }
    return this.#take()
  }

  /**
   * The connection ended: returns the response a close completes (a body read until close), or
   * `undefined` when no response had begun; throws when one was cut short.
   */
  end(): RawResponse | undefined {
    if (this.#state === 'eof') {
      this.#close = true
      this.#finish()
      return this.#take()
    }
    if (this.busy) throw new Error('Connection closed in the middle of a response')
    return undefined
  }

  #keep(data: Buffer, at: number): void {
    if (data.length - at > MAX_HEAD_BYTES) throw new SyntaxError('Header or chunk line too long')
    // A copy: the socket may reuse the buffer it handed us.
    this.#pending = Buffer.from(data.subarray(at))
  }

  #head(text: string): void {
    const lines = text.split('\r\n')
    const statusLine = lines[0]!
    if (!statusLine.startsWith('HTTP/1.')) throw new SyntaxError(`Bad status line: ${statusLine}`)
    const status = Number(statusLine.slice(9, 12))
    if (!Number.isInteger(status) || status < 100) {
      throw new SyntaxError(`Bad status line: ${statusLine}`)
    }
    let length: number | undefined
    let chunked = false
    let close = statusLine.startsWith('HTTP/1.0')
    const headers: Record<string, string> = {}
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!
      const colon = line.indexOf(':')
      if (colon <= 0) throw new SyntaxError(`Bad header line: ${line}`)
      const name = line.slice(0, colon).toLowerCase()
      const value = line.slice(colon + 1).trim()
      if (name === 'content-length') {
        length = Number(value)
        if (!Number.isSafeInteger(length) || length < 0) {
          throw new SyntaxError(`Bad content-length: ${value}`)
        }
      } else if (name === 'transfer-encoding') {
        chunked = value.toLowerCase().endsWith('chunked')
      } else if (name === 'connection') {
        close = value.toLowerCase() === 'close'
      } else if (KEPT_HEADERS.has(name)) {
        headers[name] = value
      }
    }
    // 1xx: an interim response, with no body; the real one follows.
    if (status < 200) return
    this.#status = status
    this.#headers = headers
    this.#close = close
    if (status === 204 || status === 304) this.#finish()
    else if (chunked) this.#state = 'chunk-size'
    else if (length !== undefined) {
      this.#remaining = length
      this.#state = 'length'
      if (length === 0) this.#finish()
    } else this.#state = 'eof'
  }

  #line(line: string): void {
    if (this.#state === 'chunk-size') {
      const semicolon = line.indexOf(';')
      const hex = (semicolon === -1 ? line : line.slice(0, semicolon)).trim()
      if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw new SyntaxError(`Bad chunk size: ${line}`)
      this.#remaining = Number.parseInt(hex, 16)
      this.#state = this.#remaining === 0 ? 'trailers' : 'chunk-data'
    } else if (this.#state === 'chunk-end') {
      if (line !== '') throw new SyntaxError('Chunk data longer than its size')
      this.#state = 'chunk-size'
    } else if (line === '') {
      // The empty line after the last chunk (and its trailers, if any).
      this.#finish()
    }
  }

  #finish(): void {
    const parts = this.#body
    const body =
      parts.length === 0
        ? ''
        : parts.length === 1
          ? parts[0]!.toString('utf8')
          : Buffer.concat(parts).toString('utf8')
    this.#complete = { status: this.#status, headers: this.#headers, body, close: this.#close }
    this.#state = 'head'
    this.#body = []
    this.#headers = {}
  }

  #take(): RawResponse | undefined {
    const response = this.#complete
    this.#complete = undefined
    return response
  }
}

/**
 * The start of an HTTP/1.1 request, serialized once: request line and headers, up to (not
 * including) `content-length`. {@link withBody} completes it per request.
 *
 * @example
 * const head = requestHead('POST', '/mcp', { host: '127.0.0.1:8080', 'content-type': 'application/json' })
 * const bytes = withBody(head, '{"jsonrpc":"2.0","id":1,"method":"ping"}')
 */
export function requestHead(method: string, path: string, headers: Record<string, string>): string {
  let head = `${method} ${path} HTTP/1.1\r\n`
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`
  return head
}

/** A whole request: `head` (from {@link requestHead}), its content-length and `body`. */
export function withBody(head: string, body: string): string {
  return `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}

/**
 * One lane of load: a keep-alive connection to `host:port`, one request at a time. It connects on
 * the first request and again after the server closed the connection between responses
 * ({@link connects} counts them: a fair run has one per lane). A connection lost in the middle of
 * a response, or a malformed response, rejects that request.
 *
 * @example
 * const lane = new RawHttpClient(port)
 * const response = await lane.request(withBody(head, body))
 * lane.close()
 */
export class RawHttpClient {
  readonly #port: number
  readonly #host: string
  #socket: Socket | undefined
  #parser = new ResponseParser()
  #pending: { resolve: (response: RawResponse) => void; reject: (error: Error) => void } | undefined
  /** TCP connections opened so far. */
  connects = 0

  constructor(port: number, host = '127.0.0.1') {
    this.#port = port
    this.#host = host
  }

  /** Writes `bytes` (one whole request) and resolves with its response. */
  request(bytes: string | Uint8Array): Promise<RawResponse> {
    if (this.#pending !== undefined) {
      return Promise.reject(new Error('A request is already in flight on this lane'))
    }
    const socket = this.#socket ?? this.#open()
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject }
      socket.write(bytes)
    })
  }

  /** Closes the connection (a request in flight is rejected). */
  close(): void {
    this.#socket?.destroy()
  }

  #open(): Socket {
    const socket = connect(this.#port, this.#host)
    socket.setNoDelay(true)
    const parser = new ResponseParser()
    this.#parser = parser
    this.#socket = socket
    this.connects++
    socket.on('data', (chunk: Buffer) => {
      let response: RawResponse | undefined
      try {
        response = parser.push(chunk)
      } catch (error) {
        this.#fail(error as Error)
        socket.destroy()
        return
      }
      if (response === undefined) return
      if (response.close) this.#forget(socket).destroy()
      this.#settle(response)
    })
    socket.on('error', (error) => this.#fail(error))
    socket.on('close', () => {
      this.#forget(socket)
      if (this.#parser !== parser || this.#pending === undefined) return
      try {
        const response = parser.end()
        if (response !== undefined) this.#settle(response)
        else this.#fail(new Error('Connection closed before a response'))
      } catch (error) {
        this.#fail(error as Error)
      }
    })
    return socket
  }

  #forget(socket: Socket): Socket {
    if (this.#socket === socket) this.#socket = undefined
    return socket
  }

  #settle(response: RawResponse): void {
    const pending = this.#pending
    this.#pending = undefined
    pending?.resolve(response)
  }

  #fail(error: Error): void {
    const pending = this.#pending
    this.#pending = undefined
    pending?.reject(error)
  }
}
