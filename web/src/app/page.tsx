"use client";

import { useMemo } from "react";
import { Chatbot } from "../components/Chatbot";
import { pageConfig } from "../config";

export default function Home() {
  const config = useMemo(pageConfig, []);
  return (
    <main className="page">
      <Chatbot title="Chatbot" endpoint={config.endpoint} tokenProvider={config.tokenProvider} />
    </main>
  );
}
