// Readable names for model ids. The gateway reports Bedrock ids such as
// "us.anthropic.claude-haiku-4-5-20251001-v1:0"; people know that model as
// "Claude Haiku 4.5". Unknown ids fall back to the id itself.

const EXACT: Record<string, string> = {
  eliza: "ELIZA",
};

const PROVIDERS: Record<string, string> = {
  anthropic: "",
  amazon: "Amazon ",
  meta: "",
  mistral: "",
  cohere: "Cohere ",
  ai21: "AI21 ",
  deepseek: "DeepSeek ",
  openai: "OpenAI ",
  qwen: "",
};

/** Cross-region inference profile prefixes (us.anthropic.…, global.amazon.…). */
const PROFILE = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/** A name for display; the raw id stays available as a tooltip. */
export function modelLabel(id: string): string {
  const exact = EXACT[id.toLowerCase()];
  if (exact) {
    return exact;
  }
  const bare = id.replace(PROFILE, "");
  const dot = bare.indexOf(".");
  const provider = dot > 0 ? bare.slice(0, dot) : "";
  const prefix = PROVIDERS[provider];
  if (prefix === undefined) {
    return id;
  }
  // Drop the version and date: "-v1:0", "-v0:2", "-1:0", "-20241022".
  const name = bare
    .slice(dot + 1)
    .replace(/-v\d+(:\d+)?$|-\d+:\d+$/, "")
    .replace(/-\d{8}$/, "");
  const words: string[] = [];
  for (const token of name.split("-")) {
    const glued = /^([a-z]{4,})(\d+)$/.exec(token); // llama3 → llama 3, but r1 stays
    for (const part of glued ? [glued[1]!, glued[2]!] : [token]) {
      const prev = words[words.length - 1];
      if (/^\d{1,2}$/.test(part) && prev !== undefined && /^\d+(\.\d+)?$/.test(prev) && !prev.includes(".")) {
        words[words.length - 1] = `${prev}.${part}`; // 3 5 → 3.5
      } else {
        words.push(part);
      }
    }
  }
  const label = words.map(word).join(" ");
  return label === "" ? id : prefix + label;
}

const WORDS: Record<string, string> = { gpt: "GPT", oss: "OSS" };

function word(w: string): string {
  const known = WORDS[w];
  if (known) {
    return known;
  }
  if (/^\d+(x\d+)?[bm]$/.test(w)) {
    return w.toUpperCase().replace("X", "x"); // 70b → 70B, 8x7b → 8x7B
  }
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/**
 * The model the gateway answers with when a request names none, guessed from
 * `GET /v1/models`, which has no field for it: the gateway lists its Bedrock
 * models first, the default one first, and answers with ELIZA without Bedrock.
 */
export function defaultModelId(models: ReadonlyArray<{ id: string; owned_by?: string }>): string | undefined {
  return (models.find((m) => m.owned_by === "amazon-bedrock") ?? models.find((m) => m.id === "eliza") ?? models[0])?.id;
}
