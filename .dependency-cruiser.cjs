// The layers of this repository, bottom to top; an import may point down, never up
// or across. Checked by `npm run layers` and by test/layering.test.ts in `make test`.
//
//   impl/                     the implementation (impl/ds, impl/client, impl/media, impl/web included)
//   scripts/tlc/              the TLC driver and its formats: knows nothing else here
//   conformance/model/        the model's vocabulary: only scripts/tlc/formats/ and impl/types.ts
//   conformance/generate/, conformance/replay/      (side by side, never each other)
//   conformance/validate/     may use generate/ and replay/
//   conformance/random/       may use validate/ and replay/
//   scripts/lib/              DCA tooling: the map, the viewer (never MLS), swarm, cross-check
//   scripts/cli/              the commands' shared helper: knows nothing else here
//   scripts/*.ts              the commands, on top; no library imports a command
//
// Type-only imports are erased before running and are not counted (tsPreCompilationDeps).
/** @type {import('dependency-cruiser').IConfiguration} */
const UP = (name, comment, from, to) => ({ name, comment, severity: "error", from: { path: from }, to: { path: to } });
module.exports = {
  forbidden: [
    UP("impl-stands-alone", "impl/ depends on nothing else in this repository", "^impl/", "^(scripts|conformance|test)/"),
    UP("tlc-package-stands-alone", "scripts/tlc/ is a TLC driver for any TLA+ project", "^scripts/tlc/", "^(impl|conformance|test)/|^scripts/(?!tlc/)"),
    UP("cli-helper-stands-alone", "scripts/cli/ is argument and exit handling only", "^scripts/cli/", "^(impl|conformance|test)/|^scripts/(?!cli/)"),
    UP(
      "vocabulary-is-pure",
      "conformance/model/ uses only the formats and impl/types.ts",
      "^conformance/model/",
      "^impl/(?!types\\.ts$)|^conformance/(?!model/)|^scripts/(?!tlc/formats/)|^test/",
    ),
    UP("conformance-below-commands", "conformance/ never imports the commands, their libraries or the tests", "^conformance/", "^scripts/(?!tlc/)|^test/"),
    UP("generate-beside-replay", "trace generation and replay are side by side", "^conformance/generate/", "^conformance/(replay|validate|random)/"),
    UP("replay-beside-generate", "replay and trace generation are side by side", "^conformance/replay/", "^conformance/(generate|validate|random)/"),
    UP("validate-below-random", "trace validation does not use random testing", "^conformance/validate/", "^conformance/random/"),
    UP("libraries-below-commands", "no library imports a command", "^(impl|conformance|scripts/(tlc|cli|lib))/", "^scripts/[^/]+\\.ts$"),
    UP("viewer-and-map-without-implementation", "the viewer and the map read the vocabulary, never the implementation", "^scripts/lib/(view/|correspondence\\.ts$)", "^impl/|^conformance/(?!model/)"),
    {
      name: "viewer-never-loads-mls",
      comment: "drawing a trace must not load ts-mls, however indirectly",
      severity: "error",
      from: { path: "^scripts/lib/view/|^scripts/view\\.ts$" },
      to: { path: "ts-mls|^impl/mls", reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(node_modules|build|dist)/" },
  },
};
