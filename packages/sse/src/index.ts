export { encode } from './encode.js'
