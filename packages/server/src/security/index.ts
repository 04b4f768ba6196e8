export type { HostOriginOptions } from './host-origin.js'
export {
  checkHostAndOrigin,
  createHostOriginCheck,
  isLoopbackHost,
  isLoopbackOrigin,
} from './host-origin.js'
