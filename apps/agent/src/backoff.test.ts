import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { Backoff } from './backoff.ts'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const middle = () => 0.5

describe('Backoff', () => {
  test('doubles from 1 s up to the 60 s cap', () => {
    const b = new Backoff({ random: middle })
    const delays = Array.from({ length: 9 }, () => b.next())
    // At the cap the jitter can only shorten, so 0.5 lands between 45 and 60 s.
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 52_500, 52_500, 52_500])
  })

  test('never exceeds the cap, even after very many attempts', () => {
    const b = new Backoff({ random: () => 0.999999 })
    for (let i = 0; i < 2000; i++) expect(b.next()).toBeLessThanOrEqual(60_000)
  })

  test('jitter stays within ±25 % of the base', () => {
    const low = new Backoff({ random: () => 0 })
    const high = new Backoff({ random: () => 0.999999 })
    const bases = [1000, 2000, 4000, 8000, 16_000, 32_000]
    for (const base of bases) {
      expect(low.next()).toBe(base * 0.75)
      expect(high.next()).toBeCloseTo(base * 1.25, -1)
    }
    // 64 s would be the next base; capped, the range is 45–60 s.
    expect(low.next()).toBe(45_000)
    expect(high.next()).toBe(60_000)
  })

  test('with the real random source every delay lies in its band', () => {
    const b = new Backoff()
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = Math.min(1000 * 2 ** attempt, 60_000)
      const d = b.next()
      expect(d).toBeGreaterThanOrEqual(base * 0.75)
      expect(d).toBeLessThanOrEqual(Math.min(base * 1.25, 60_000))
    }
  })

  test('reset() starts over at 1 s', () => {
    const b = new Backoff({ random: middle })
    b.next()
    b.next()
    b.next()
    b.reset()
    expect(b.next()).toBe(1000)
  })

  test('a connection that stayed up 60 s resets the schedule', () => {
    const b = new Backoff({ random: middle })
    for (let i = 0; i < 5; i++) b.next()
    b.connected()
    vi.advanceTimersByTime(60_000)
    b.disconnected()
    expect(b.next()).toBe(1000)
  })

  test('a connection that dropped sooner keeps doubling', () => {
    const b = new Backoff({ random: middle })
    for (let i = 0; i < 3; i++) b.next()
    b.connected()
    vi.advanceTimersByTime(59_999)
    b.disconnected()
    expect(b.next()).toBe(8000)
  })

  test('small values for tests', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 40, stableMs: 100, random: middle })
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([10, 20, 35, 35])
    b.connected()
    vi.advanceTimersByTime(100)
    b.disconnected()
    expect(b.next()).toBe(10)
  })
})
