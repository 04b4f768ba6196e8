import { expect, it } from 'vitest'
import * as api from '../src/index.js'

it('exports exactly the documented runtime API', () => {
  expect(Object.keys(api).sort()).toEqual([
    'ErrorCode',
    'JsonRpcError',
    'SERVER_ERROR_MAX',
    'SERVER_ERROR_MIN',
    'createDispatcher',
    'createRequestTracker',
    'errorResponse',
    'isErrorResponse',
    'isNotification',
    'isRequest',
    'isResponse',
    'isServerErrorCode',
    'parseMessage',
    'serialize',
  ])
})
