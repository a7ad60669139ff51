/** Saves a text as a file through the browser's download, made in the page (nothing is fetched). */
export function downloadText(text: string, fileName: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  // Inside an open modal <dialog> the rest of the page is inert, so the link must live in the dialog.
  const host = document.querySelector('dialog[open]') ?? document.body
  host.appendChild(link)
  try {
    link.click()
  } finally {
    link.remove()
    // The download has taken its copy once click() returns; a little later is only for slow browsers.
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
  }
}
