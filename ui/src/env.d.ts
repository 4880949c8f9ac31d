// Vite's `?raw` imports: a file's text (the message files, ../../messages/*.ftl).
declare module "*?raw" {
  const text: string;
  export default text;
}
