/** The shape of every paginated list response (`Page(item)` in @wirewarp/protocol). */
export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export const PAGE_SIZE = 50
// Selects (servers, clients, templates) need every row, not a page; 500 is the server's maximum.
export const ALL_ROWS = 500
