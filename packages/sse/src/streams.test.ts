import { describe, expect, it } from 'vitest'
import { SseDecoderStream } from './decoder-stream.js'
import { SseEncoderStream } from './encoder-stream.js'
import type { SseEvent, SseMessage } from './types.js'

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = []
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return out
    out.push(value)
  }
}

describe('SseEncoderStream and SseDecoderStream', () => {
  it('SseEncoderStream piped into SseDecoderStream gives back the events', async () => {
    const messages: SseMessage[] = [
      { event: 'message', id: '1', data: '{"a":1}' },
      { comment: 'keep-alive' },
      { data: 'two\nlines', id: '2' },
    ]
    const source = new ReadableStream<SseMessage>({
      start(controller) {
        for (const m of messages) controller.enqueue(m)
        controller.close()
      },
    })
    const events = await readAll(
      source.pipeThrough(new SseEncoderStream()).pipeThrough(new SseDecoderStream()),
    )
    expect(events).toEqual<SseEvent[]>([
      { type: 'message', data: '{"a":1}', lastEventId: '1' },
      { type: 'message', data: 'two\nlines', lastEventId: '2' },
    ])
  })

  it('SseEncoderStream errors the stream on an invalid message', async () => {
    const source = new ReadableStream<SseMessage>({
      start(controller) {
        controller.enqueue({ id: 'a\nb' })
        controller.close()
      },
    })
    await expect(readAll(source.pipeThrough(new SseEncoderStream()))).rejects.toThrow(TypeError)
  })

  it('SseDecoderStream discards an unterminated final event', async () => {
    const source = new ReadableStream<string>({
      start(controller) {
        controller.enqueue('data: a\n\ndata: b')
        controller.close()
      },
    })
    const events = await readAll(source.pipeThrough(new SseDecoderStream()))
    expect(events.map((e) => e.data)).toEqual(['a'])
  })
})
