package dev.skyloader.bootstrap.cli;

/** Input the user can fix: reported as one line, exit code 2. */
final class BadInputException extends RuntimeException {
    BadInputException(String message) {
        super(message);
    }

    BadInputException(String option, IllegalArgumentException cause) {
        super(option + ": " + cause.getMessage(), cause);
    }
}
