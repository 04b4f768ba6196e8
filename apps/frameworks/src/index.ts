export type { ExpressBodyParsing } from './express-app.js'
export { expressApp } from './express-app.js'
export type { HonoMount } from './hono-app.js'
export { honoApp } from './hono-app.js'
