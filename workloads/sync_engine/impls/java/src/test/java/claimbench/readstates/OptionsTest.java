package claimbench.readstates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsTest {
  @Test
  void defaults() throws Exception {
    Options options = Options.parse(new String[] {"serve", "--listen", "127.0.0.1:80", "--entries", "8"});
    assertEquals(new Options("127.0.0.1", 80, 8, 10, 100, 1, null), options);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "serve --entries 10 | --listen is required",
    "serve --listen 127.0.0.1:1 --entries 0 | --entries wants a count",
    "serve --listen nowhere --entries 10 | --listen wants HOST:PORT",
    "serve --listen 127.0.0.1:1 --entries 10 --bogus 1 | unknown option '--bogus'",
    "serve --listen 127.0.0.1:1 --entries | --entries needs a value",
    "sync --local a --remote b | implements only serve",
  })
  void badCommandLinesSayWhatIsWrong(String args, String words) {
    Options.UsageException e = assertThrows(Options.UsageException.class, () -> Options.parse(args.split(" ")));
    assertTrue(e.getMessage().contains(words), e.getMessage());
  }
}
