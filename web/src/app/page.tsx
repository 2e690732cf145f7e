"use client";

import { useMemo } from "react";
import { Chatbot } from "../components/Chatbot";
import { pageConfig } from "../config";

export default function Home() {
  const config = useMemo(pageConfig, []);
  return (
    <main className="page">
      <Chatbot
        title="Chatbot"
        headingLevel={1}
        endpoint={config.endpoint}
        tokenProvider={config.tokenProvider}
        askForKey={config.askForKey}
        serverConversations
      />
    </main>
  );
}
