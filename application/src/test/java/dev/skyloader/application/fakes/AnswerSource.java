package dev.skyloader.application.fakes;

import dev.skyloader.application.port.out.ArtifactSource;
import dev.skyloader.application.port.out.RemoteBody;
import dev.skyloader.application.port.out.SourceException;
import dev.skyloader.domain.SourceUrl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A source whose every answer the test writes itself, for answers {@link ScriptedSource} never gives: a start other
 * than the one asked for, another size or version, a body that ends early without an error. Records each request.
 */
public final class AnswerSource implements ArtifactSource {
    /** One answer to one request. */
    @FunctionalInterface
    public interface Answer {
        RemoteBody answer(long offset, Optional<String> validator) throws SourceException;
    }

    public record Request(SourceUrl url, long offset, Optional<String> validator) {
    }

    private final Deque<Answer> answers = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();

    public synchronized AnswerSource then(Answer... next) {
        answers.addAll(List.of(next));
        return this;
    }

    @Override
    public synchronized RemoteBody open(SourceUrl url, long offset, Optional<String> validator)
            throws SourceException {
        requests.add(new Request(url, offset, validator));
        Answer answer = answers.poll();
        if (answer == null) {
            throw new IllegalStateException("no answer scripted for request " + requests.size());
        }
        return answer.answer(offset, validator);
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }
}
