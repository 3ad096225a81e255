// Which connector kinds the collector pulls alerts with, as phrases for UI text
// ("SentinelOne or Generic API key"), built from the connectors' own flags so
// what the pages say follows them. Pure: client components use it too.

const wordList = (words: string[], last: "and" | "or") => (words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} ${last} ${words.at(-1)}`);

export function pullPhrases(connectors: readonly { label: string; pulledByCollector: boolean }[]): { pulled: string; keptOnly: string } {
  return {
    pulled: wordList(connectors.filter((c) => c.pulledByCollector).map((c) => c.label), "or"),
    keptOnly: wordList(connectors.filter((c) => !c.pulledByCollector).map((c) => c.label), "and"),
  };
}
