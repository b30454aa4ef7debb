// For tests that run the real TLC: the TLC package's own helper (a jar found
// without network, whether Java is there, skipping outside CI only), shared with
// this repository's tests.
export { hasJava, inCi, localJar, skipWithoutTlc, testJar } from "../scripts/tlc/test/local-tlc.ts";
