# One warning policy for every target of the project.
function(sockkit_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(SOCKKIT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
