package dev.knowgate.world;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QaFormatTest {

    @Test
    void promptQaAndFewShotTexts() {
        assertThat(QaFormat.prompt("Where was Lorin Vask born ?")).isEqualTo("Q: Where was Lorin Vask born ? A:");
        assertThat(QaFormat.qa("Where was Lorin Vask born ?", "Tessaly"))
                .isEqualTo("Q: Where was Lorin Vask born ? A: Tessaly <eoa>");
        assertThat(QaFormat.PROMPT_TEMPLATE.replace(QaFormat.QUESTION_PLACEHOLDER, "Who ?")).isEqualTo(QaFormat.prompt("Who ?"));
        List<QaFormat.QaPair> shots = List.of(new QaFormat.QaPair("Who wrote X ?", "Ana Bel"), new QaFormat.QaPair("Who wrote Y ?", "Cor"));
        assertThat(QaFormat.fewShotPrompt(shots, "Who wrote Z ?"))
                .isEqualTo("Q: Who wrote X ? A: Ana Bel <eoa> Q: Who wrote Y ? A: Cor <eoa> Q: Who wrote Z ? A:");
        assertThat(QaFormat.fewShotText(shots, "Who wrote Z ?", "Dee"))
                .isEqualTo(QaFormat.fewShotPrompt(shots, "Who wrote Z ?") + " Dee <eoa>");
        assertThat(QaFormat.fewShotPrompt(List.of(), "Who ?")).isEqualTo(QaFormat.prompt("Who ?"));
    }
}
